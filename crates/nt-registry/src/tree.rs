//! A detached tree of keys and values: what a REGEDIT4 file or a hive's file holds, before
//! it becomes (or after it was taken from) the live registry. Merging works on these trees.

use crate::value::{Value, same_name, upcase};

/// One key of a detached tree: its name, its values in order, and its subkeys sorted by
/// upper-cased name (the order NT enumerates them in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyTree {
    /// The key's name as spelled.
    pub name: String,
    /// Its values, in the order they were first set.
    pub values: Vec<Value>,
    /// Its subkeys: (upper-cased name, subtree), sorted.
    pub subkeys: Vec<(String, KeyTree)>,
}

impl KeyTree {
    /// An empty key named `name`.
    pub fn new(name: &str) -> KeyTree {
        KeyTree {
            name: name.to_string(),
            ..KeyTree::default()
        }
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        let key = upcase(name);
        self.subkeys.binary_search_by(|(k, _)| k.as_str().cmp(&key))
    }

    /// The subkey `name`, if present.
    pub fn child(&self, name: &str) -> Option<&KeyTree> {
        self.position(name).ok().map(|i| &self.subkeys[i].1)
    }

    /// The subkey `name`, made when absent.
    pub fn child_or_create(&mut self, name: &str) -> &mut KeyTree {
        let i = match self.position(name) {
            Ok(i) => i,
            Err(i) => {
                self.subkeys.insert(i, (upcase(name), KeyTree::new(name)));
                i
            }
        };
        &mut self.subkeys[i].1
    }

    /// The key at `path` (components below this one), if present.
    pub fn find(&self, path: &[String]) -> Option<&KeyTree> {
        path.iter().try_fold(self, |k, c| k.child(c))
    }

    /// The key at `path`, made (with every missing key on the way) when absent.
    pub fn find_or_create(&mut self, path: &[String]) -> &mut KeyTree {
        path.iter().fold(self, |k, c| k.child_or_create(c))
    }

    /// Removes the key at `path` with everything below it; false when absent. An empty path
    /// empties this key.
    pub fn remove(&mut self, path: &[String]) -> bool {
        let Some((last, parents)) = path.split_last() else {
            let had = !self.values.is_empty() || !self.subkeys.is_empty();
            self.values.clear();
            self.subkeys.clear();
            return had;
        };
        let mut at = self;
        for c in parents {
            match at.position(c) {
                Ok(i) => at = &mut at.subkeys[i].1,
                Err(_) => return false,
            }
        }
        match at.position(last) {
            Ok(i) => {
                at.subkeys.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Sets a value: one of the same name (without case) is replaced where it stands, keeping
    /// its spelling; a new one goes last.
    pub fn set_value(&mut self, value: Value) {
        match self
            .values
            .iter_mut()
            .find(|v| same_name(&v.name, &value.name))
        {
            Some(v) => {
                v.kind = value.kind;
                v.data = value.data;
            }
            None => self.values.push(value),
        }
    }

    /// Removes the value `name`; false when absent.
    pub fn delete_value(&mut self, name: &str) -> bool {
        match self.values.iter().position(|v| same_name(&v.name, name)) {
            Some(i) => {
                self.values.remove(i);
                true
            }
            None => false,
        }
    }

    /// The value `name`, if present.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|v| same_name(&v.name, name))
    }

    /// How many keys the tree holds, this one included.
    pub fn key_count(&self) -> usize {
        1 + self
            .subkeys
            .iter()
            .map(|(_, k)| k.key_count())
            .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('\\').map(str::to_string).collect()
    }

    #[test]
    fn keys_sort_without_case_and_values_keep_their_order() {
        let mut t = KeyTree::new("root");
        t.find_or_create(&path("b\\x"));
        t.find_or_create(&path("A"));
        t.find_or_create(&path("c"));
        let names: Vec<&str> = t.subkeys.iter().map(|(_, k)| k.name.as_str()).collect();
        assert_eq!(names, ["A", "b", "c"]);
        assert!(t.find(&path("B\\X")).is_some());
        t.set_value(Value::dword("z", 1));
        t.set_value(Value::dword("a", 2));
        t.set_value(Value::dword("Z", 3));
        assert_eq!(t.values.len(), 2);
        assert_eq!(t.values[0].name, "z");
        assert_eq!(t.values[0].as_dword(), Some(3));
        assert!(t.remove(&path("b")));
        assert!(t.find(&path("b\\x")).is_none());
        assert_eq!(t.key_count(), 3);
    }
}
