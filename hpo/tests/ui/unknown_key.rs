use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(flaot(0.0, 1.0))]
    x: f64,
}

#[derive(SearchSpace)]
#[space(rename_al = "lowercase")]
enum Kind {
    A,
}

fn main() {}
