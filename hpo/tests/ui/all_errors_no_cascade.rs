use hpo::SearchSpace;

// Three mistakes, three errors: the derive still emits a placeholder impl, so the use of
// `Config::space()` below adds no "trait not implemented" error.
#[derive(SearchSpace)]
struct Config {
    lr: f64,
    #[space(int(8, 2))]
    layers: i64,
    #[space(choice())]
    act: String,
}

fn main() {
    let _ = Config::space();
}
