//! `create-study`, `delete-study`, `study set-user-attr`, `study-names`, `studies`.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use hpo_core::study::{delete_study, get_all_study_names, get_all_study_summaries};
use hpo_core::{Error, Study, StudyDirection};

use super::{Ctx, emit};
use crate::cli::{
    CreateStudyArgs, DeleteStudyArgs, DirectionArg, SetUserAttrArgs, StudiesArgs, StudyNamesArgs,
};
use crate::output::{Cell, Column, Record, format_output};
use crate::records::study_records;

fn direction(d: DirectionArg) -> StudyDirection {
    match d {
        DirectionArg::Minimize => StudyDirection::Minimize,
        DirectionArg::Maximize => StudyDirection::Maximize,
    }
}

fn names_of(directions: &[StudyDirection]) -> String {
    directions
        .iter()
        .map(|d| d.name().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `create-study`: creates the study (or, with `--skip-if-exists`, keeps the existing one) and
/// prints its name.
pub fn create(ctx: &Ctx, args: &CreateStudyArgs) -> anyhow::Result<()> {
    let given: Option<Vec<StudyDirection>> = match (&args.direction, &args.directions) {
        (Some(d), _) => Some(vec![direction(*d)]),
        (None, Some(ds)) => Some(ds.iter().copied().map(direction).collect()),
        (None, None) => None,
    };
    if args.skip_if_exists
        && let Some(name) = &args.study
        && let Ok(id) = ctx.storage.get_study_id_from_name(name)
    {
        hpo_core::log_info!(
            "Using an existing study with name '{name}' instead of creating a new one."
        );
        if let Some(given) = &given {
            let stored = ctx.storage.get_study_directions(id)?;
            if &stored != given {
                hpo_core::log_warn!(
                    "study '{name}' exists with directions [{}], not the [{}] asked for; \
                     it is left as it is",
                    names_of(&stored),
                    names_of(given)
                );
            }
        }
        return emit(name);
    }
    let mut builder = Study::builder()
        .storage_arc(Arc::clone(&ctx.storage))
        .directions(given.unwrap_or_else(|| vec![StudyDirection::Minimize]));
    if let Some(name) = &args.study {
        builder = builder.name(name.as_str());
    }
    let study = builder.build().map_err(|e| match e {
        Error::DuplicatedStudy(name) => anyhow!(
            "a study named `{name}` already exists in {}; pass --skip-if-exists to keep it, or \
             choose another --study name",
            ctx.url.shown()
        ),
        other => anyhow::Error::new(other).context("cannot create the study"),
    })?;
    emit(study.name())
}

/// `delete-study`.
pub fn delete(ctx: &Ctx, args: &DeleteStudyArgs) -> anyhow::Result<()> {
    delete_study(&args.study, &*ctx.storage).map_err(|e| ctx.study_error(e, &args.study))?;
    hpo_core::log_info!("Deleted study '{}'.", args.study);
    Ok(())
}

/// `study set-user-attr`.
pub fn set_user_attr(ctx: &Ctx, args: &SetUserAttrArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    study
        .set_user_attr(&args.key, &args.value)
        .context("cannot set the attribute")?;
    hpo_core::log_info!("Attribute successfully written.");
    Ok(())
}

/// `study-names`.
pub fn names(ctx: &Ctx, args: &StudyNamesArgs) -> anyhow::Result<()> {
    let names = get_all_study_names(&*ctx.storage)
        .with_context(|| format!("cannot list the studies of {}", ctx.url.shown()))?;
    let column = Column::plain("name");
    let records: Vec<Record> = names
        .into_iter()
        .map(|n| Record::from([(column.clone(), Cell::Str(n))]))
        .collect();
    emit(&format_output(
        &records,
        &[column],
        args.format,
        false,
        false,
    ))
}

/// `studies`.
pub fn list(ctx: &Ctx, args: &StudiesArgs) -> anyhow::Result<()> {
    let summaries = get_all_study_summaries(&*ctx.storage, false)
        .with_context(|| format!("cannot list the studies of {}", ctx.url.shown()))?;
    let (records, columns) = study_records(&summaries);
    emit(&format_output(
        &records,
        &columns,
        args.format,
        args.flatten,
        false,
    ))
}
