//! Request fields read the way the vendor's stack reads them: strings
//! trimmed and `""` as null, booleans as `true/false/1/0/"1"/"0"`, integers as
//! numbers or numeric strings. A value of the wrong type is not a
//! deserialization failure but the rule it broke ([`Patch::Invalid`]),
//! reported by validation with every other error of the request.
//!
//! Each kind of field documents itself ([`Kind::schema`]); request types
//! are declared with [`lenient_request!`], which inlines those schemas and
//! lets every field be absent.

use std::borrow::Cow;

use prospects_domain::{Patch, Rule};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// What a field holds, how a sent value is read, and how it is documented.
pub trait Kind: Sized {
    type Value;
    /// A sent value other than `null`.
    fn read(value: Value) -> Patch<Self::Value>;
    fn schema() -> Object;
}

/// Declares a kind of field: a value as sent (absent by default), read
/// leniently and documented by its [`Kind`] impl.
macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident $(<$(const $param:ident: $ty:ty $(= $default:literal)?),*>)? holds $value:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $kind $(<$(const $param: $ty $(= $default)?),*>)? (Patch<$value>);

        impl $(<$(const $param: $ty),*>)? $kind $(<$($param),*>)? {
            pub fn into_patch(self) -> Patch<$value> {
                self.0
            }
        }

        impl $(<$(const $param: $ty),*>)? Default for $kind $(<$($param),*>)? {
            fn default() -> Self {
                Self(Patch::Absent)
            }
        }

        impl<'de $($(, const $param: $ty)*)?> Deserialize<'de> for $kind $(<$($param),*>)? {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(match Value::deserialize(deserializer)? {
                    Value::Null => Self(Patch::Null),
                    value => Self(<Self as Kind>::read(value)),
                })
            }
        }

        impl $(<$(const $param: $ty),*>)? PartialSchema for $kind $(<$($param),*>)? {
            fn schema() -> RefOr<Schema> {
                <Self as Kind>::schema().into()
            }
        }

        impl $(<$(const $param: $ty),*>)? ToSchema for $kind $(<$($param),*>)? {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($kind))
            }
        }
    )*};
}

kinds! {
    /// Text of `MIN..=MAX` characters once trimmed; null unless `NULLABLE` is false.
    Text<const MIN: usize, const MAX: usize, const NULLABLE: bool = true> holds String;
    /// A nullable email address of at most `MAX` characters.
    EmailText<const MAX: usize> holds String;
    /// A nullable absolute `http`/`https` URL of at most `MAX` characters.
    UrlText<const MAX: usize> holds String;
    /// The country, whose `null` puts the default back.
    Country holds String;
    /// An id of another row, or null.
    Id holds i64;
    /// An integer, or null.
    Integer holds i64;
    /// A boolean; null only where `NULLABLE` (then it counts as not sent).
    Flag<const NULLABLE: bool = false> holds bool;
    /// A password: taken as sent, never trimmed.
    Password holds String;
}

/// A request type whose every field is of a lenient kind: each may be
/// absent, and each documents itself (inlined, as its kind describes it).
macro_rules! lenient_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $kind:ty,)*
        }
    ) => {
        #[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[serde(default)]
                #[schema(inline)]
                pub $field: $kind,
            )*
        }
    };
}
pub(crate) use lenient_request;

fn read_text(value: Value) -> Patch<String> {
    match value {
        Value::String(text) => Patch::text(&text),
        _ => Patch::Invalid(Rule::String),
    }
}

impl<const MIN: usize, const MAX: usize, const NULLABLE: bool> Kind for Text<MIN, MAX, NULLABLE> {
    type Value = String;

    fn read(value: Value) -> Patch<String> {
        read_text(value)
    }

    fn schema() -> Object {
        text_schema(MIN, MAX, NULLABLE, None)
    }
}

impl<const MAX: usize> Kind for EmailText<MAX> {
    type Value = String;

    fn read(value: Value) -> Patch<String> {
        read_text(value)
    }

    fn schema() -> Object {
        text_schema(
            0,
            MAX,
            true,
            Some("A valid email address (`\"\"` counts as null)."),
        )
    }
}

impl<const MAX: usize> Kind for UrlText<MAX> {
    type Value = String;

    fn read(value: Value) -> Patch<String> {
        read_text(value)
    }

    fn schema() -> Object {
        text_schema(
            0,
            MAX,
            true,
            Some(
                "An absolute `http` or `https` URL, never fetched by the server (`\"\"` counts as null).",
            ),
        )
    }
}

impl Kind for Country {
    type Value = String;

    fn read(value: Value) -> Patch<String> {
        read_text(value)
    }

    fn schema() -> Object {
        text_schema(
            0,
            255,
            true,
            Some("Default `\"France\"`; `null` puts the default back."),
        )
    }
}

impl Kind for Id {
    type Value = i64;

    fn read(value: Value) -> Patch<i64> {
        match value {
            Value::String(text) if text.trim().is_empty() => Patch::Null,
            value => as_integer(&value).map_or(Patch::Invalid(Rule::Integer), Patch::Set),
        }
    }

    fn schema() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::Integer,
                Type::String,
                Type::Null,
            ]))
            .pattern(Some(integer_pattern()))
            .description(Some(
                "The id of an existing row of the table the field names (`brand_id`: brands, ...); \
                 numeric strings such as \"12\" are read as integers, `\"\"` as null.",
            ))
            .build()
    }
}

impl Kind for Integer {
    type Value = i64;

    fn read(value: Value) -> Patch<i64> {
        Id::read(value)
    }

    fn schema() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::Integer,
                Type::String,
                Type::Null,
            ]))
            .pattern(Some(integer_pattern()))
            .description(Some(
                "An integer; numeric strings such as \"12\" are read as integers, `\"\"` as null.",
            ))
            .build()
    }
}

impl Kind for Password {
    type Value = String;

    fn read(value: Value) -> Patch<String> {
        match value {
            Value::String(text) if text.is_empty() => Patch::Null,
            Value::String(text) => Patch::Set(text),
            _ => Patch::Invalid(Rule::String),
        }
    }

    fn schema() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Password,
            )))
            .pattern(Some(PASSWORD_PATTERN))
            .max_length(Some(1024))
            .description(Some(
                "8 to 1024 characters, taken as sent (not trimmed); `\"\"` counts as null.",
            ))
            .build()
    }
}

impl<const NULLABLE: bool> Kind for Flag<NULLABLE> {
    type Value = bool;

    fn read(value: Value) -> Patch<bool> {
        match value {
            Value::String(text) if text.trim().is_empty() => Patch::Null,
            value => as_boolean(&value).map_or(Patch::Invalid(Rule::Boolean), Patch::Set),
        }
    }

    // No `enum`: generators cannot type an enum of mixed types.
    fn schema() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter(
                [Type::Boolean, Type::Integer, Type::String]
                    .into_iter()
                    .chain(NULLABLE.then_some(Type::Null)),
            ))
            .description(Some("`true`, `false`, `1`, `0`, `\"1\"` or `\"0\"`."))
            .build()
    }
}

/// `12`, `12.0`, `"12"`, `" -3 "`; not `1.5`, `"1e3"` or `true`.
fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(text) => {
            let text = text.trim();
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.parse().ok()
        }
        _ => None,
    }
}

/// `true`, `false`, `1`, `0`, `"1"`, `"0"`, and nothing else.
fn as_boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(text) => match text.trim() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An integer among whitespace, as the server trims it: `\s` means less
/// than Rust's `trim` to JSON Schema validators, so the characters are spelled out.
fn integer_pattern() -> String {
    format!("^[{WHITESPACE}]*([+-]?[0-9]+)?[{WHITESPACE}]*$")
}

/// A password of at least 8 characters and no NUL, or `""` (read as null):
/// a `minLength` would document the empty string as invalid, yet it is accepted.
const PASSWORD_PATTERN: &str = r"^(?:[^\x00]{8,})?$";

/// Text bounds beyond this are stated as `maxLength`: no body under the
/// size limit can carry that many characters, padded or not.
const PATTERN_BOUND: usize = 4096;

/// A text field's schema. The server trims before counting characters
/// (SPEC §2), but `minLength`/`maxLength` count the raw string, so a
/// 256-character name padded with a space would be documented as invalid
/// yet accepted: bounds become a pattern over the trimmed text.
fn text_schema(min: usize, max: usize, nullable: bool, about: Option<&str>) -> Object {
    let types = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    let schema = ObjectBuilder::new().schema_type(types);
    if max > PATTERN_BOUND {
        return schema
            .max_length(Some(max))
            .description(about.map(str::to_owned))
            .build();
    }
    let bound = match min {
        0 => format!("At most {max} characters once trimmed."),
        _ => format!("{min} to {max} characters once trimmed."),
    };
    schema
        .pattern(Some(trimmed_length_pattern(min, max)))
        .description(Some(match about {
            Some(about) => format!("{about} {bound}"),
            None => bound,
        }))
        .build()
}

/// The characters Rust's `str::trim` removes (Unicode `White_Space`),
/// spelled out: `\s` means slightly different things to the regex engines
/// of JSON Schema validators.
const WHITESPACE: &str =
    r"\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A pattern matching strings of `min..=max` characters once trimmed: the
/// trimmed text is one non-space character, or two with anything between.
fn trimmed_length_pattern(min: usize, max: usize) -> String {
    let (space, solid) = (format!("[{WHITESPACE}]"), format!("[^{WHITESPACE}]"));
    let mut shapes = Vec::new();
    if min <= 1 && max >= 1 {
        shapes.push(solid.clone());
    }
    if max >= 2 {
        let (least, most) = (min.max(2) - 2, max - 2);
        shapes.push(format!("{solid}[\\s\\S]{{{least},{most}}}{solid}"));
    }
    let optional = if min == 0 { "?" } else { "" };
    format!("^{space}*(?:{}){optional}{space}*$", shapes.join("|"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read<K: serde::de::DeserializeOwned>(value: Value) -> K {
        serde_json::from_value::<K>(value).expect("never fails")
    }

    #[test]
    fn lenient_scalars_are_accepted() {
        assert_eq!(
            read::<Text<2, 255>>(json!("  Acme  ")).into_patch(),
            Patch::Set("Acme".to_owned())
        );
        assert_eq!(read::<Text<0, 255>>(json!("")).into_patch(), Patch::Null);
        assert_eq!(read::<Id>(json!("12")).into_patch(), Patch::Set(12));
        assert_eq!(read::<Id>(json!(3.0)).into_patch(), Patch::Set(3));
        assert_eq!(read::<Id>(json!(" ")).into_patch(), Patch::Null);
        assert_eq!(read::<Flag>(json!("0")).into_patch(), Patch::Set(false));
        assert_eq!(read::<Flag>(json!(1)).into_patch(), Patch::Set(true));
        assert_eq!(read::<Flag>(json!(null)).into_patch(), Patch::Null);
    }

    #[test]
    fn wrong_types_are_the_rule_they_broke() {
        assert_eq!(
            read::<Text<2, 255>>(json!(42)).into_patch(),
            Patch::Invalid(Rule::String)
        );
        assert_eq!(
            read::<Id>(json!("abc")).into_patch(),
            Patch::Invalid(Rule::Integer)
        );
        assert_eq!(
            read::<Id>(json!(1.5)).into_patch(),
            Patch::Invalid(Rule::Integer)
        );
        assert_eq!(
            read::<Flag>(json!("yes")).into_patch(),
            Patch::Invalid(Rule::Boolean)
        );
        assert_eq!(
            read::<Flag>(json!(2)).into_patch(),
            Patch::Invalid(Rule::Boolean)
        );
        assert_eq!(
            read::<Country>(json!(["x"])).into_patch(),
            Patch::Invalid(Rule::String)
        );
    }

    #[test]
    fn the_integer_pattern_accepts_what_the_server_reads() {
        let pattern = regex::Regex::new(&integer_pattern()).expect("regex");
        for sample in ["12", " -3 ", "\u{85}", "\u{3000}7\u{a0}", "", "+0"] {
            assert!(pattern.is_match(sample), "{sample:?}");
            assert!(!matches!(
                read::<Id>(json!(sample)).into_patch(),
                Patch::Invalid(_)
            ));
        }
        for sample in ["1.5", "1e3", "x", "1 2"] {
            assert!(!pattern.is_match(sample), "{sample:?}");
            assert_eq!(
                read::<Id>(json!(sample)).into_patch(),
                Patch::Invalid(Rule::Integer)
            );
        }
    }

    #[test]
    fn the_password_pattern_accepts_what_the_server_reads() {
        let pattern = regex::Regex::new(PASSWORD_PATTERN).expect("regex");
        for (sample, accepted) in [
            ("", true),
            ("1234567", false),
            ("12345678", true),
            (" \u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} ", true),
            ("\u{e9}\u{e9}\u{e9}\u{e9}", false),
            ("1234\u{0}5678", false),
        ] {
            assert_eq!(pattern.is_match(sample), accepted, "{sample:?}");
            assert_eq!(
                read::<Password>(json!(sample)).into_patch() == Patch::Null,
                sample.is_empty()
            );
        }
    }

    #[test]
    fn trimmed_length_patterns_count_what_the_server_counts() {
        let cases = [(2, 255), (0, 255), (0, 2048), (1, 3)];
        let samples = [
            String::new(),
            " ".to_owned(),
            "a".to_owned(),
            " \u{3000}ab\u{85} ".to_owned(),
            "a\nb".to_owned(),
            "é".repeat(255),
            format!(" {} ", "x".repeat(255)),
            format!("\t{}", "x".repeat(256)),
            "x".repeat(2048),
            "x".repeat(2049),
            "\u{feff}ab".to_owned(),
        ];
        for (min, max) in cases {
            let pattern = regex::Regex::new(&trimmed_length_pattern(min, max)).expect("regex");
            for sample in &samples {
                let length = sample.trim().chars().count();
                assert_eq!(
                    pattern.is_match(sample),
                    (min..=max).contains(&length),
                    "{min}..={max}: {sample:?}"
                );
            }
        }
    }
}
