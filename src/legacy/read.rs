//! Reading a legacy file as it is, without changing it: every column may be missing, of
//! another type, or hold anything.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

/// A row of the legacy `user` table, as stored.
#[derive(Debug, Clone, Default)]
pub struct LegacyUser {
    pub id: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyDessert {
    pub id: i64,
    pub name: Option<String>,
    pub price: Option<f64>,
    pub calories: Option<i64>,
    pub user_id: Option<i64>,
    pub liked: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyMenu {
    pub id: i64,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyData {
    pub users: Vec<LegacyUser>,
    pub desserts: Vec<LegacyDessert>,
    pub menus: Vec<LegacyMenu>,
}

/// Reads a legacy file without changing it.
pub fn read(path: &Path) -> Result<LegacyData, String> {
    if !path.is_file() {
        return Err(format!("{} does not exist or is not a file", path.display()));
    }
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let columns = |table: &str| -> Result<HashSet<String>, String> {
        let mut statement = conn
            .prepare(&format!("PRAGMA table_info(\"{table}\")"))
            .map_err(|e| not_a_database(path, &e))?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(1))
            .and_then(Iterator::collect)
            .map_err(|e| not_a_database(path, &e))?;
        Ok(names)
    };
    let dessert_columns = columns("dessert")?;
    if dessert_columns.is_empty() {
        return Err(format!(
            "{} has no dessert table: it is not a database of the old app",
            path.display()
        ));
    }
    let select = |table: &str, wanted: &[&str], present: &HashSet<String>| -> Result<Vec<Vec<Value>>, String> {
        let list: Vec<String> = wanted
            .iter()
            .map(|c| if present.contains(*c) { format!("\"{c}\"") } else { "NULL".into() })
            .collect();
        let sql = format!("SELECT {} FROM \"{table}\" ORDER BY id", list.join(", "));
        let mut statement = conn.prepare(&sql).map_err(|e| format!("cannot read {table}: {e}"))?;
        statement
            .query_map([], |row| (0..wanted.len()).map(|i| row.get::<_, Value>(i)).collect())
            .and_then(Iterator::collect)
            .map_err(|e| format!("cannot read {table}: {e}"))
    };
    let mut data = LegacyData::default();
    for row in select(
        "dessert",
        &["id", "name", "price", "calories", "user_id", "doilikeit"],
        &dessert_columns,
    )? {
        data.desserts.push(LegacyDessert {
            id: int(&row[0]).unwrap_or_default(),
            name: text(&row[1]),
            price: real(&row[2]),
            calories: int(&row[3]),
            user_id: int(&row[4]),
            liked: int(&row[5]).map(|v| v != 0),
        });
    }
    let user_columns = columns("user")?;
    if !user_columns.is_empty() {
        for row in select("user", &["id", "username", "password", "email", "name", "avatar"], &user_columns)? {
            data.users.push(LegacyUser {
                id: int(&row[0]).unwrap_or_default(),
                username: text(&row[1]),
                password: text(&row[2]),
                email: text(&row[3]),
                name: text(&row[4]),
                avatar: text(&row[5]),
            });
        }
    }
    let menu_columns = columns("menu")?;
    if !menu_columns.is_empty() {
        for row in select("menu", &["id", "name"], &menu_columns)? {
            data.menus.push(LegacyMenu {
                id: int(&row[0]).unwrap_or_default(),
                name: text(&row[1]),
            });
        }
    }
    Ok(data)
}

fn not_a_database(path: &Path, error: &rusqlite::Error) -> String {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        format!("{} is not an SQLite database", path.display())
    } else {
        format!("cannot read {}: {error}", path.display())
    }
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(v) => Some(*v),
        Value::Real(v) if v.fract() == 0.0 && v.abs() < 9e15 => Some(*v as i64),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn real(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(v) => Some(*v as f64),
        Value::Real(v) => Some(*v),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Text(t) => Some(t.clone()),
        Value::Integer(v) => Some(v.to_string()),
        Value::Real(v) => Some(v.to_string()),
        _ => None,
    }
}
