//! kurobako's parameter constraints: a parameter with a `constraint` is active (evaluated, so
//! suggested) only when its Lua expression, read over the values of the parameters before it, is
//! true. kurobako runs these with a Lua interpreter, where each earlier active parameter is a
//! global (a number, or a categorical's choice name as a string) and an inactive one is `nil`.
//!
//! This is a small evaluator for the part of Lua that such conditions use, not a Lua
//! interpreter: literals (numbers, strings, `true`, `false`), parameter names, parentheses,
//! `==`, `~=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `not`, unary `-` and `+ - * /` on numbers, an
//! optional leading `return`, an optional trailing `;` and `--` line comments, with Lua's
//! precedence, short-circuits and comparison rules (values of different types are never equal;
//! ordering a number with a string is an error). Anything else (`nil`, calls, fields, `..`, `%`,
//! `^`, long strings, ...) is refused when parsed, so an unsupported condition is an error and
//! never a guess.
//!
//! Reading an inactive parameter makes the condition unmet: a parameter whose condition reads a
//! parameter that is itself inactive is inactive. (Lua would read `nil` there; the two agree on
//! `name == "..."` and ordering tests, where Lua's `nil` gives false or an error.) Short-circuits
//! are kept, so `kind == "rf" or depth > 3` never reads `depth` when `kind` is `"rf"`.

/// A value a condition reads or computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A numerical parameter (continuous or discrete), or a number literal or result.
    Num(f64),
    /// A categorical parameter's choice name, or a string literal.
    Str(&'a str),
    /// A comparison's result or a boolean literal.
    Bool(bool),
}

impl Value<'_> {
    fn type_name(self) -> &'static str {
        match self {
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Bool(_) => "boolean",
        }
    }

    /// Lua's truth: everything but `false` (and `nil`, which never gets here) is true.
    fn truthy(self) -> bool {
        self != Value::Bool(false)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logic {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Num(f64),
    Str(String),
    Bool(bool),
    /// A parameter before the constrained one, by its position in the problem.
    Param(usize),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `and` / `or`, which short-circuit.
    Logic(Logic, Box<Expr>, Box<Expr>),
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    source: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Str(String),
    Name(String),
    Op(&'static str),
}

/// Lua's reserved words this evaluator does not take.
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "nil", "break", "do", "else", "elseif", "end", "for", "function", "goto", "if", "in", "local",
    "repeat", "then", "until", "while",
];

fn lex(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            if chars.get(i + 2) == Some(&'[') {
                return Err("long comments (`--[`) are not supported".into());
            }
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            // As Lua's lexer: a numeral runs over letters, digits, `.` and an exponent's sign.
            let start = i;
            while i < chars.len() {
                let d = chars[i];
                let exponent_sign = (d == '+' || d == '-')
                    && i > start
                    && matches!(chars[i - 1], 'e' | 'E')
                    && !chars[start..i].iter().any(|&h| h == 'x' || h == 'X');
                if d.is_ascii_alphanumeric() || d == '.' || d == '_' || exponent_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            let text: String = chars[start..i].iter().collect();
            if text.starts_with("0x") || text.starts_with("0X") {
                return Err(format!("hexadecimal numbers (`{text}`) are not supported"));
            }
            let n = text
                .parse::<f64>()
                .map_err(|_| format!("malformed number `{text}`"))?;
            tokens.push(Token::Num(n));
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => return Err("unfinished string".into()),
                    Some(&q) if q == c => break,
                    Some('\\') => {
                        s.push(match chars.get(i + 1) {
                            Some('\\') => '\\',
                            Some('"') => '"',
                            Some('\'') => '\'',
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some(other) => {
                                return Err(format!("string escape `\\{other}` is not supported"));
                            }
                            None => return Err("unfinished string".into()),
                        });
                        i += 2;
                    }
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push(Token::Str(s));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["==", "~=", "<=", ">="]
                .into_iter()
                .find(|op| *op == two)
                .or_else(|| {
                    ["<", ">", "+", "-", "*", "/", "(", ")", ";"]
                        .into_iter()
                        .find(|op| op.starts_with(c))
                });
            match op {
                // `//` is Lua's floor division, `/` alone its float division.
                Some("/") if next == Some('/') => {
                    return Err("`//` is not supported".into());
                }
                Some(op) => {
                    i += op.len();
                    tokens.push(Token::Op(op));
                }
                None if two == "!=" => {
                    return Err("`!=` is not Lua (its inequality is `~=`)".into());
                }
                None => return Err(format!("`{c}` is not supported")),
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    earlier: &'a [&'a str],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Op(o)) if *o == op);
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Name(n)) if n == word);
        if found {
            self.at += 1;
        }
        found
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat_keyword("or") {
            left = Expr::Logic(Logic::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while self.eat_keyword("and") {
            left = Expr::Logic(Logic::And, Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let mut left = self.sum()?;
        loop {
            let op = match self.peek() {
                Some(Token::Op("==")) => BinOp::Eq,
                Some(Token::Op("~=")) => BinOp::Ne,
                Some(Token::Op("<")) => BinOp::Lt,
                Some(Token::Op("<=")) => BinOp::Le,
                Some(Token::Op(">")) => BinOp::Gt,
                Some(Token::Op(">=")) => BinOp::Ge,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.sum()?));
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat_op("+") {
                BinOp::Add
            } else if self.eat_op("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat_op("*") {
                BinOp::Mul
            } else if self.eat_op("/") {
                BinOp::Div
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_keyword("not") {
            Ok(Expr::Not(Box::new(self.unary()?)))
        } else if self.eat_op("-") {
            Ok(Expr::Neg(Box::new(self.unary()?)))
        } else {
            self.primary()
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self
            .peek()
            .cloned()
            .ok_or("the expression ends where a value is expected")?;
        self.at += 1;
        match token {
            Token::Num(n) => Ok(Expr::Num(n)),
            Token::Str(s) => Ok(Expr::Str(s)),
            Token::Op("(") => {
                let inner = self.or()?;
                if !self.eat_op(")") {
                    return Err("`(` is not closed".into());
                }
                Ok(inner)
            }
            Token::Op(op) => Err(format!("`{op}` where a value is expected")),
            Token::Name(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "and" | "or" | "not" | "return" => {
                    Err(format!("`{name}` where a value is expected"))
                }
                n if UNSUPPORTED_KEYWORDS.contains(&n) => Err(format!("`{name}` is not supported")),
                n => self
                    .earlier
                    .iter()
                    .position(|e| *e == n)
                    .map(Expr::Param)
                    .ok_or_else(|| {
                        format!(
                            "`{name}` is not a parameter before this one (a condition reads \
                             only those)"
                        )
                    }),
            },
        }
    }
}

/// Why an evaluation stopped before giving a value.
enum Stop {
    /// It read an inactive parameter.
    Inactive,
    /// A Lua runtime error (e.g. ordering a number with a string).
    Error(String),
}

fn eval<'a>(expr: &'a Expr, values: &[Option<Value<'a>>]) -> Result<Value<'a>, Stop> {
    Ok(match expr {
        Expr::Num(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Param(i) => values.get(*i).copied().flatten().ok_or(Stop::Inactive)?,
        Expr::Not(e) => Value::Bool(!eval(e, values)?.truthy()),
        Expr::Neg(e) => match eval(e, values)? {
            Value::Num(n) => Value::Num(-n),
            other => return Err(arithmetic_error(other)),
        },
        Expr::Logic(Logic::And, a, b) => {
            let left = eval(a, values)?;
            if left.truthy() {
                eval(b, values)?
            } else {
                left
            }
        }
        Expr::Logic(Logic::Or, a, b) => {
            let left = eval(a, values)?;
            if left.truthy() {
                left
            } else {
                eval(b, values)?
            }
        }
        Expr::Binary(op, a, b) => binary(*op, eval(a, values)?, eval(b, values)?)?,
    })
}

fn arithmetic_error(v: Value<'_>) -> Stop {
    Stop::Error(format!(
        "arithmetic on a {} value (only numbers are supported)",
        v.type_name()
    ))
}

fn binary<'a>(op: BinOp, a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, Stop> {
    use std::cmp::Ordering;
    let order = || -> Result<Option<Ordering>, Stop> {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => Ok(x.partial_cmp(&y)),
            (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
            _ => Err(Stop::Error(format!(
                "cannot order a {} and a {}",
                a.type_name(),
                b.type_name()
            ))),
        }
    };
    let number = |v: Value<'a>| match v {
        Value::Num(n) => Ok(n),
        other => Err(arithmetic_error(other)),
    };
    Ok(match op {
        BinOp::Eq => Value::Bool(a == b),
        BinOp::Ne => Value::Bool(a != b),
        // A NaN orders with nothing: every ordering test on it is false, as in Lua.
        BinOp::Lt => Value::Bool(order()? == Some(Ordering::Less)),
        BinOp::Le => Value::Bool(matches!(order()?, Some(Ordering::Less | Ordering::Equal))),
        BinOp::Gt => Value::Bool(order()? == Some(Ordering::Greater)),
        BinOp::Ge => Value::Bool(matches!(
            order()?,
            Some(Ordering::Greater | Ordering::Equal)
        )),
        BinOp::Add => Value::Num(number(a)? + number(b)?),
        BinOp::Sub => Value::Num(number(a)? - number(b)?),
        BinOp::Mul => Value::Num(number(a)? * number(b)?),
        BinOp::Div => Value::Num(number(a)? / number(b)?),
    })
}

impl Constraint {
    /// Parses `source`, a condition over `earlier`: the names of the parameters before the
    /// constrained one, in the problem's order.
    pub fn parse(source: &str, earlier: &[&str]) -> Result<Constraint, String> {
        let tokens = lex(source)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            earlier,
        };
        parser.eat_keyword("return");
        if parser.peek().is_none() {
            return Err("the condition is empty".into());
        }
        let expr = parser.or()?;
        parser.eat_op(";");
        if let Some(extra) = parser.peek() {
            let shown = match extra {
                Token::Num(n) => n.to_string(),
                Token::Str(s) => format!("{s:?}"),
                Token::Name(n) => n.clone(),
                Token::Op(o) => (*o).to_owned(),
            };
            return Err(format!("unexpected `{shown}` after the expression"));
        }
        Ok(Constraint {
            source: source.to_owned(),
            expr,
        })
    }

    /// The condition's Lua source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the condition holds given the values of the parameters before the constrained
    /// one (`None`: inactive). Reading an inactive parameter gives `false`; a Lua runtime error,
    /// or a result that is not a boolean, is an error.
    pub fn is_satisfied(&self, values: &[Option<Value<'_>>]) -> Result<bool, String> {
        match eval(&self.expr, values) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "the condition gives a {}, not a boolean",
                other.type_name()
            )),
            Err(Stop::Inactive) => Ok(false),
            Err(Stop::Error(e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["model", "c", "n", "flag"];

    fn check(source: &str, values: &[Option<Value<'_>>]) -> Result<bool, String> {
        Constraint::parse(source, NAMES)?.is_satisfied(values)
    }

    fn svm() -> Vec<Option<Value<'static>>> {
        vec![
            Some(Value::Str("svm")),
            Some(Value::Num(0.5)),
            Some(Value::Num(3.0)),
            Some(Value::Str("true")),
        ]
    }

    #[test]
    fn comparisons_follow_lua() {
        let v = svm();
        for (source, expected) in [
            (r#"model == "svm""#, true),
            (r#"model == 'rf'"#, false),
            (r#"model ~= "rf""#, true),
            ("c < 1", true),
            ("c <= 0.5", true),
            ("c > 0.5", false),
            ("c >= 0.5", true),
            ("n == 3", true),
            ("n == 3.0", true),
            // Values of different types are never equal: a number is not its string.
            (r#"n == "3""#, false),
            (r#"n ~= "3""#, true),
            ("flag == true", false),
            (r#"flag == "true""#, true),
            (r#"model < "t""#, true),
            (r#""b" < "a""#, false),
            ("1e-1 < c", true),
            (".5 == c", true),
            ("-1 < -c", true),
            ("-1 > -c", false),
            ("(c + n) * 2 == 7", true),
            ("n - 1 / 2 == 2.5", true),
            ("true", true),
            ("false", false),
        ] {
            assert_eq!(check(source, &v), Ok(expected), "{source}");
        }
    }

    #[test]
    fn logic_precedence_and_short_circuits() {
        let v = svm();
        for (source, expected) in [
            (r#"model == "svm" and c < 1"#, true),
            (r#"model == "rf" or c < 1"#, true),
            (r#"model == "rf" or c > 1 and n == 3"#, false),
            (r#"(model == "rf" or c < 1) and n == 3"#, true),
            // `or` binds looser than `and`: true or (false and false).
            (r#"model == "svm" or c > 1 and n == 4"#, true),
            (r#"not model == "svm""#, false), // (not "svm") == "svm": false == "svm"
            (r#"not (model == "rf")"#, true),
            ("not not true", true),
            ("return n >= 3", true),
            ("n >= 3;", true),
            ("return n > 3 -- a comment", false),
            // `--` starts a comment even right after a number: this is `n == 1`.
            ("n == 1 --2", false),
        ] {
            assert_eq!(check(source, &v), Ok(expected), "{source}");
        }
    }

    #[test]
    fn reading_an_inactive_parameter_makes_the_condition_unmet() {
        let mut v = svm();
        v[1] = None; // `c` inactive
        assert_eq!(check("c < 1", &v), Ok(false));
        assert_eq!(check("c ~= 1", &v), Ok(false));
        assert_eq!(check("not (c < 1)", &v), Ok(false));
        // Short-circuits: `c` is never read here.
        assert_eq!(check(r#"model == "svm" or c < 1"#, &v), Ok(true));
        assert_eq!(check(r#"model == "rf" and c < 1"#, &v), Ok(false));
        // A value not given at all counts as inactive too.
        assert_eq!(check("flag == \"true\"", &v[..2]), Ok(false));
    }

    #[test]
    fn runtime_type_errors_are_errors() {
        let v = svm();
        for (source, fragment) in [
            ("model < 1", "cannot order a string and a number"),
            ("c < true", "cannot order a number and a boolean"),
            ("model + 1", "arithmetic on a string"),
            ("-model == 1", "arithmetic on a string"),
            ("c", "gives a number, not a boolean"),
            (r#"n == 3 and model"#, "gives a string"),
        ] {
            let err = check(source, &v).unwrap_err();
            assert!(err.contains(fragment), "{source}: {err}");
        }
    }

    #[test]
    fn unsupported_or_malformed_conditions_are_refused_when_parsed() {
        for (source, fragment) in [
            ("", "empty"),
            ("   -- only a comment", "empty"),
            ("return", "empty"),
            ("model ==", "ends where a value is expected"),
            ("(c < 1", "not closed"),
            ("c < 1)", "unexpected `)`"),
            ("c < 1 c", "unexpected `c`"),
            ("c != 1", "`!=` is not Lua"),
            ("c = 1", "`=` is not supported"),
            ("model == nil", "`nil` is not supported"),
            ("if c then", "`if` is not supported"),
            ("math.floor(c) == 1", "`.` is not supported"),
            ("floor(c) == 1", "`floor` is not a parameter before"),
            ("c(1) == 1", "unexpected `(`"),
            ("depth > 3", "`depth` is not a parameter before this one"),
            ("c % 2 == 0", "`%` is not supported"),
            ("c ^ 2 == 0", "`^` is not supported"),
            ("n // 2 == 1", "`//` is not supported"),
            (r#"model .. "x" == "svmx""#, "`.` is not supported"),
            ("#model == 3", "`#` is not supported"),
            ("c == 0x10", "hexadecimal"),
            ("c == 1.2.3", "malformed number `1.2.3`"),
            ("c == 3abc", "malformed number `3abc`"),
            ("c == 1e", "malformed number"),
            (r#"model == "svm"#, "unfinished string"),
            ("model == \"s\\qvm\"", "escape `\\q`"),
            ("model == [[svm]]", "`[` is not supported"),
            ("--[[ x ]] c < 1", "long comments"),
            ("c < and", "`and` where a value is expected"),
            ("* c", "`*` where a value is expected"),
            ("c < 1;;", "unexpected `;`"),
        ] {
            let err = Constraint::parse(source, NAMES).unwrap_err();
            assert!(err.contains(fragment), "{source:?}: {err}");
        }
    }

    #[test]
    fn parsed_once_keeps_its_source() {
        let c = Constraint::parse(r#"model == "svm""#, NAMES).unwrap();
        assert_eq!(c.source(), r#"model == "svm""#);
        // Only the parameters before the constrained one may be read.
        assert!(Constraint::parse("flag == 1", &NAMES[..3]).is_err());
        assert!(Constraint::parse("n == 1", &NAMES[..3]).is_ok());
    }

    #[test]
    fn strings_take_escapes_and_both_quotes() {
        let v = [Some(Value::Str("it's \"x\"\n"))];
        let names = ["s"];
        for source in [r#"s == 'it\'s "x"\n'"#, r#"s == "it's \"x\"\n""#] {
            let c = Constraint::parse(source, &names).unwrap();
            assert_eq!(c.is_satisfied(&v), Ok(true), "{source}");
        }
    }
}
