use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(float(1.0, 0.5))]
    dropout: f64,
}

fn main() {}
