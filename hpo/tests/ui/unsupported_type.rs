use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    name: &'static str,
    pair: (f64, f64),
}

fn main() {}
