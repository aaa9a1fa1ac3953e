//! [`setters!`](crate::setters): the setters of every hpo builder.

/// Writes builder setters that store what they are given.
///
/// hpo has one policy for settings: a setter stores its argument as it is, so that a builder
/// chain never stops in the middle, and the check happens once, where the settings are used
/// (a sampler's or pruner's `validate()`, an options type's `build()`), with an error that names
/// the setting and the value. A setter written by this macro cannot check, clamp or convert, so
/// it keeps that policy by construction; a setter that must do more is written by hand.
///
/// Each entry reads `vis fn name(arg: Type) => self.field;` (any path of fields), or ends in
/// `= Some;` to store `Some(arg)`. Doc comments and attributes go on an entry as on a function,
/// and the method it writes is `vis fn name(mut self, arg: Type) -> Self`.
///
/// ```
/// #[derive(Debug, Default)]
/// struct Size {
///     width: u32,
/// }
///
/// #[derive(Debug, Default)]
/// struct Options {
///     size: Size,
///     title: Option<String>,
/// }
///
/// impl Options {
///     hpo_core::setters! {
///         /// The width in pixels.
///         pub fn width(px: u32) => self.size.width;
///
///         /// A title (default none).
///         pub fn title(title: String) => self.title = Some;
///     }
/// }
///
/// let o = Options::default().width(900).title("loss".to_owned());
/// assert_eq!((o.size.width, o.title.as_deref()), (900, Some("loss")));
/// ```
#[macro_export]
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($arg:ident: $ty:ty) => self.$($field:ident).+ $(= $wrap:ident)?;
    )*) => {
        $(
            $(#[$attr])*
            $vis fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $($wrap)?($arg);
                self
            }
        )*
    };
}
