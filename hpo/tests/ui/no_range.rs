use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    lr: f64,
}

fn main() {}
