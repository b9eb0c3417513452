//! Values as JSON, without serde: the Kubernetes target's objects (`generate::k8s`) and the
//! model's nodes and connections (`model::json`) write themselves through [`ToJson`], one
//! out-of-line [`field`] writer per field type. A derived `Serialize` costs a serializer state
//! machine per field type in the browser engine.

use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// A value as JSON.
pub(crate) trait ToJson {
    fn to_json(&self) -> Value;
}

macro_rules! to_json_via_from {
    ($($t:ty),* $(,)?) => { $( impl ToJson for $t { fn to_json(&self) -> Value { Value::from(self.clone()) } } )* };
}
// `f64`: a non-finite number becomes null, as serde_json writes it.
to_json_via_from!(String, bool, i32, i64, f64);

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for Number {
    fn to_json(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl ToJson for Map<String, Value> {
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_json)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in self {
            m.insert(k.clone(), v.to_json());
        }
        Value::Object(m)
    }
}

/// Whether a field is left out of its object: `None` is, everything else is written.
pub(crate) trait Omit {
    fn omit(&self) -> bool;
}

impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}

impl<T> Omit for Vec<T> {
    fn omit(&self) -> bool {
        false
    }
}

macro_rules! never_omitted {
    ($($t:ty),* $(,)?) => { $( impl Omit for $t { fn omit(&self) -> bool { false } } )* };
}
pub(crate) use never_omitted;
never_omitted!(String, bool, i32, Value, Map<String, Value>);

/// Writes one field unless it is omitted. Not inlined: one copy per field type, not per field.
#[inline(never)]
pub(crate) fn field<T: ToJson + Omit>(m: &mut Map<String, Value>, key: &str, v: &T) {
    if !v.omit() {
        m.insert(key.to_owned(), v.to_json());
    }
}
