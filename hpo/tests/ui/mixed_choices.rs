use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(choice("relu", 1, "tanh"))]
    activation: String,
}

fn main() {}
