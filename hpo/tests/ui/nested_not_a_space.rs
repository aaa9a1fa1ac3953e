use hpo::SearchSpace;

struct Plain {
    x: f64,
}

#[derive(SearchSpace)]
struct Config {
    inner: Plain,
}

fn main() {}
