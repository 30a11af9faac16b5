//! The load benchmark. Builds a fresh database, starts the release server, logs users in
//! and drives each scenario over loopback with keep-alive HTTP/1.1 connections for a fixed
//! time, then prints a Markdown table (and, with `--write`, puts it in docs/benchmarks.md).
//!
//! cargo build --release && target/release/bench [--users 1000] [--desserts 100] [--seconds 10]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use desserts::config::DatabaseUrl;
use desserts::store::dump::{
    DessertLabelRow, DessertRow, Dump, KitchenRow, LabelRow, MembershipRow, MenuEntryRow, MenuRow, PhotoRow, UserRow,
};
use desserts::store::{PoolSettings, Store};

const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Parser)]
struct Args {
    /// Users in the database.
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// Desserts per user.
    #[arg(long, default_value_t = 100)]
    desserts: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections kept open per scenario.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Also measure the list page's p50 with 1 thousand, 100 thousand and 1 million desserts.
    #[arg(long)]
    scale: bool,
    /// Also measure the list page's p99 alone and beside a flood of logins.
    #[arg(long)]
    contention: bool,
    /// Also measure photo uploads: their rate, the list page's p99 beside them, and the
    /// server's peak memory with eight of the largest uploads at once.
    #[arg(long)]
    photos: bool,
    /// Run only these scenarios (for profiling one path); the 512-connection run is skipped.
    #[arg(long, value_delimiter = ',')]
    only: Vec<Scenario>,
    /// Write the tables into this Markdown file, between the benchmark markers.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Also run the chosen scenarios with the server on this PostgreSQL server (a database of
    /// its own is made there for each run and dropped after), reported in the same table:
    /// postgres://USER@HOST/DATABASE, where DATABASE is one to connect to for making them.
    #[arg(long)]
    postgres: Option<String>,
    /// Connections each server process keeps to PostgreSQL (DESSERTS_DB_POOL_SIZE).
    #[arg(long, default_value_t = 16)]
    db_pool_size: usize,
    /// A smoke test for CI: every scenario for two seconds on a small database (100 users ×
    /// 20 desserts), with the contention and photo runs; exits non-zero on any error or if
    /// the server dies, never because of a time.
    #[arg(long)]
    quick: bool,
}

impl Args {
    /// `--quick` sets the sizes and times; what was given otherwise stays.
    fn quickened(mut self) -> Self {
        if self.quick {
            self.users = 100;
            self.desserts = 20;
            self.seconds = 2;
            self.contention = true;
            self.photos = true;
        }
        self
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse().quickened();
    let mut report = String::new();
    let dir = WorkDir::new()?;
    let mut server = Server::start(dir.path(), args.users, args.desserts).await?;
    eprintln!(
        "server ready at {} (pid {}, {} users × {} desserts)",
        server.base,
        server.child.id(),
        args.users,
        args.desserts
    );
    let wanted = if args.only.is_empty() {
        args.connections.max(512)
    } else {
        args.connections
    };
    let sessions = server.log_in(wanted, args.users).await?;
    eprintln!(
        "logged in {} sessions; server peak RSS so far {} KiB",
        sessions.len(),
        server.peak_rss_kib()
    );

    let mut rows = Vec::new();
    let seconds = Duration::from_secs(args.seconds);
    let all = [
        Scenario::Static,
        Scenario::List,
        Scenario::ListFresh,
        Scenario::ListShared,
        Scenario::ListFreeOf,
        Scenario::ListLabel,
        Scenario::ListCompressed,
        Scenario::PublicMenu,
        Scenario::Dessert,
        Scenario::Thumbnail,
        Scenario::Add,
        Scenario::ApiList,
        Scenario::Login,
    ];
    let chosen = if args.only.is_empty() { all.to_vec() } else { args.only.clone() };
    let shared = if chosen.contains(&Scenario::ListShared) {
        server.in_shared_kitchens(&sessions[..args.connections], args.users).await?
    } else {
        Vec::new()
    };
    for &scenario in &chosen {
        let pool = if scenario == Scenario::ListShared {
            &shared[..]
        } else {
            &sessions[..args.connections]
        };
        let result = drive(&server, pool, scenario, seconds, args.desserts).await;
        eprintln!(
            "{}: {:.0} req/s, {} errors; server peak RSS {} KiB",
            scenario.label(),
            result.per_second(),
            result.errors,
            server.peak_rss_kib()
        );
        rows.push((scenario.label().to_string(), result));
    }
    if args.only.is_empty() {
        let wide = drive(&server, &sessions[..512], Scenario::List, seconds, args.desserts).await;
        rows.push(("`GET /` at 512 connections".to_string(), wide));
    }
    let (rss, anon) = (server.peak_rss_kib(), server.peak_anon_kib());
    server.check_alive()?;
    drop(server);
    if let Some(admin_url) = &args.postgres {
        let backend = Backend::Postgres {
            admin_url: admin_url.clone(),
            pool_size: args.db_pool_size,
        };
        rows.extend(on_postgres(&backend, dir.path(), &args, &chosen, seconds).await?);
    }
    report.push_str(&table(&rows, args.connections));
    let mut failed: Vec<String> = Vec::new();
    for (label, m) in &rows {
        count_errors(&mut failed, label, m.errors);
    }
    report.push_str(&format!(
        "\nServer peak memory, SQLite: {:.1} MiB allocated (anonymous: heap and stacks, sampled every 10 ms); \
         {:.1} MiB resident with the database file its readers map (VmHWM; those pages are the kernel's page cache).\n",
        anon as f64 / 1024.0,
        rss as f64 / 1024.0
    ));

    if args.contention {
        report.push_str(&contention(dir.path(), &args, seconds, &mut failed).await?);
    }
    if args.photos {
        report.push_str(&photos(dir.path(), &args, seconds, &mut failed).await?);
    }
    if args.scale {
        report.push_str(&scale(dir.path(), seconds).await?);
    }
    if let Some(admin_url) = &args.postgres {
        drop_postgres_databases(admin_url).await?;
    }
    let full = format!("{}\n{report}", machine(&args));
    println!("{full}");
    if let Some(path) = args.write {
        write_between_markers(&path, &full)?;
        eprintln!("wrote {}", path.display());
    }
    if args.quick && !failed.is_empty() {
        bail!("requests failed:\n  {}", failed.join("\n  "));
    }
    Ok(())
}

/// The chosen scenarios (but the static file, which no database serves, and logins, which
/// only hash) with the server on PostgreSQL: rows labelled with the backend.
async fn on_postgres(
    backend: &Backend,
    dir: &Path,
    args: &Args,
    chosen: &[Scenario],
    seconds: Duration,
) -> anyhow::Result<Vec<(String, Measured)>> {
    let mut server = Server::start_on(backend, dir, args.users, args.desserts).await?;
    let sessions = server.log_in(args.connections, args.users).await?;
    let shared = if chosen.contains(&Scenario::ListShared) {
        server.in_shared_kitchens(&sessions, args.users).await?
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for &scenario in chosen.iter().filter(|s| !matches!(s, Scenario::Static | Scenario::Login)) {
        let pool = if scenario == Scenario::ListShared {
            &shared[..]
        } else {
            &sessions[..]
        };
        let result = drive(&server, pool, scenario, seconds, args.desserts).await;
        eprintln!(
            "{} on {}: {:.0} req/s, {} errors",
            scenario.label(),
            backend.name(),
            result.per_second(),
            result.errors
        );
        rows.push((format!("{}, {}", scenario.label(), backend.name()), result));
    }
    server.check_alive()?;
    Ok(rows)
}

/// A folder for the benchmark's databases, removed at the end.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("desserts-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Static,
    List,
    /// The list page, each request a page the server has not kept: the database's work.
    ListFresh,
    ListShared,
    ListFreeOf,
    ListLabel,
    ListCompressed,
    PublicMenu,
    Dessert,
    Thumbnail,
    Add,
    ApiList,
    Login,
    Upload,
}

impl Scenario {
    fn label(self) -> &'static str {
        match self {
            Self::Static => "`GET /static/style.css` (ceiling)",
            Self::List => "`GET /` (list, 20 of 100, sorted)",
            Self::ListFresh => "`GET /?sort=…&dir=…&page=…` (list, a page not kept: read from the database)",
            Self::ListShared => "`GET /` in a kitchen shared with the user (editor)",
            Self::ListFreeOf => "`GET /?free_of=milk` (filtered list)",
            Self::ListLabel => "`GET /?label=seasonal` (filtered list)",
            Self::ListCompressed => "`GET /` with `Accept-Encoding: br, gzip` (brotli)",
            Self::PublicMenu => "`GET /m/{slug}` (public menu, 20 desserts, anonymous)",
            Self::Dessert => "`GET /desserts/{id}`",
            Self::Thumbnail => "`GET /desserts/{id}/photo?size=thumb` (from the database)",
            Self::Upload => "`PUT /api/v1/desserts/{id}/photo` (12 MP JPEG)",
            Self::Add => "`POST /add`",
            Self::ApiList => "`GET /api/v1/desserts`",
            Self::Login => "`POST /login` (Argon2id)",
        }
    }
}

/// The `n`th of 40 different list pages (four orders, two directions, five pages), taken in
/// turn: more than the server keeps of one kitchen, so it reads each from the database.
fn fresh_list_path(n: usize) -> String {
    const SORTS: [&str; 4] = ["name", "price", "calories", "created"];
    let (sort, dir, page) = (SORTS[n % 4], if (n / 4).is_multiple_of(2) { "asc" } else { "desc" }, n / 8 % 5 + 1);
    format!("/?sort={sort}&dir={dir}&page={page}")
}

/// The public link of user `user`'s menu.
fn menu_slug(user: usize) -> String {
    format!("benchmenu{user:0>30}")
}

/// A logged-in user as one connection uses it.
#[derive(Debug, Clone)]
struct Session {
    user: usize,
    cookie: String,
    csrf: String,
    token: String,
}

struct Server {
    base: String,
    port: u16,
    child: Child,
    /// The most anonymous memory (heap, stacks: `RssAnon`) the server has held, in KiB,
    /// sampled every 10 ms until the server ends.
    peak_anon_kib: Arc<AtomicU64>,
    /// Whether its database is a PostgreSQL server on this machine, whose processes'
    /// CPU time each scenario then counts too.
    on_postgres: bool,
}

/// Where a benchmark server keeps its data.
#[derive(Debug, Clone)]
enum Backend {
    Sqlite,
    /// The URL of a PostgreSQL server, by a database to connect to for making others.
    Postgres {
        admin_url: String,
        pool_size: usize,
    },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres { .. } => "PostgreSQL",
        }
    }
}

/// The PostgreSQL databases this run made, dropped at its end.
static MADE_DATABASES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// A new, empty PostgreSQL database for one server; its URL.
async fn fresh_postgres_database(admin_url: &str, label: &str) -> anyhow::Result<String> {
    let name = {
        let mut made = MADE_DATABASES.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        let name = format!("desserts_bench_{}_{}_{label}", std::process::id(), made.len());
        made.push(name.clone());
        name
    };
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .context("cannot connect to --postgres")?;
    tokio::spawn(connection);
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await?;
    client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
    let mut url = url::Url::parse(admin_url).context("--postgres is not a URL")?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

/// Drops the databases this run made.
async fn drop_postgres_databases(admin_url: &str) -> anyhow::Result<()> {
    let names: Vec<String> = MADE_DATABASES.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.drain(..).collect();
    if names.is_empty() {
        return Ok(());
    }
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    for name in names {
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
    }
    Ok(())
}

impl Server {
    async fn start(dir: &Path, users: usize, desserts: usize) -> anyhow::Result<Self> {
        Self::start_on(&Backend::Sqlite, dir, users, desserts).await
    }

    async fn start_on(backend: &Backend, dir: &Path, users: usize, desserts: usize) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                let db = dir.join(format!("bench-{users}x{desserts}.db"));
                build_database(&DatabaseUrl::Sqlite(db.clone()), users, desserts).await?;
                Self::serve(&format!("sqlite://{}", db.display()), &[], false).await
            }
            Backend::Postgres { admin_url, pool_size } => {
                let url = fresh_postgres_database(admin_url, &format!("{users}x{desserts}")).await?;
                let parsed: DatabaseUrl = url.parse().map_err(|e: String| anyhow::anyhow!(e))?;
                build_database(&parsed, users, desserts).await?;
                Self::serve(&url, &[("DESSERTS_DB_POOL_SIZE", &pool_size.to_string())], true).await
            }
        }
    }

    async fn serve(database_url: &str, env: &[(&str, &str)], on_postgres: bool) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?.with_file_name("desserts");
        if !exe.exists() {
            bail!("{} is missing: run cargo build --release first", exe.display());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&exe)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        let peak_anon_kib = Arc::new(AtomicU64::new(0));
        let (pid, peak) = (child.id(), peak_anon_kib.clone());
        std::thread::spawn(move || {
            while let Some(kib) = status_kib(pid, "RssAnon:") {
                peak.fetch_max(kib, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let server = Self {
            base: format!("127.0.0.1:{port}"),
            port,
            child,
            peak_anon_kib,
            on_postgres,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while fetch(port, Method::GET, "/healthz", &[], None).await.is_err() {
            if Instant::now() > deadline {
                bail!("the server did not start");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(server)
    }

    /// Logs in `count` sessions, over the first users, and gives each an API token.
    async fn log_in(&self, count: usize, users: usize) -> anyhow::Result<Vec<Session>> {
        let mut sessions = Vec::with_capacity(count);
        for i in 0..count {
            let user = i % users.min(count) + 1;
            let (cookie, _) = login(self.port, user).await?;
            let (_, _, page) = fetch(self.port, Method::GET, "/add", &[("cookie", &cookie)], None).await?;
            let csrf = csrf_token(&page).context("no token on /add")?;
            let body = format!(r#"{{"username": "user{user}", "password": "{PASSWORD}"}}"#);
            let (_, _, answer) = fetch(
                self.port,
                Method::POST,
                "/api/v1/tokens",
                &[("content-type", "application/json")],
                Some(body),
            )
            .await?;
            let token = answer
                .split("\"token\":\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .context("no API token")?
                .to_string();
            sessions.push(Session { user, cookie, csrf, token });
        }
        Ok(sessions)
    }

    /// New sessions of the users of `sessions`, each switched to the kitchen shared with its
    /// user (see [`shared_kitchen`]).
    async fn in_shared_kitchens(&self, sessions: &[Session], users: usize) -> anyhow::Result<Vec<Session>> {
        let mut switched = Vec::with_capacity(sessions.len());
        for session in sessions {
            let (cookie, _) = login(self.port, session.user).await?;
            let (_, _, page) = fetch(self.port, Method::GET, "/account", &[("cookie", &cookie)], None).await?;
            let csrf = csrf_token(&page).context("no token on /account")?;
            let kitchen = shared_kitchen(session.user, users);
            let (status, _, _) = fetch(
                self.port,
                Method::POST,
                &format!("/kitchens/{kitchen}/switch"),
                &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")],
                Some(format!("csrf_token={csrf}")),
            )
            .await?;
            if status != StatusCode::SEE_OTHER {
                bail!("switching user{} to kitchen {kitchen} answered {status}", session.user);
            }
            switched.push(Session {
                cookie,
                csrf,
                ..session.clone()
            });
        }
        Ok(switched)
    }

    /// The CPU time the server has used so far (user and system), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        process_cpu_ticks(self.child.id()).map_or(0, |(_, ticks)| ticks)
    }

    /// The CPU time each PostgreSQL process on this machine has used so far, by pid; empty
    /// when the server's database is not PostgreSQL.
    fn database_cpu_ticks(&self) -> HashMap<u32, u64> {
        if !self.on_postgres {
            return HashMap::new();
        }
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return HashMap::new();
        };
        entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| match process_cpu_ticks(pid)? {
                (name, ticks) if name == "postgres" => Some((pid, ticks)),
                _ => None,
            })
            .collect()
    }

    /// The most memory the server has held (KiB), from /proc: its anonymous memory and the
    /// pages of the database file its readers map, which are the kernel's page cache.
    fn peak_rss_kib(&self) -> u64 {
        status_kib(self.child.id(), "VmHWM:").unwrap_or(0)
    }

    /// The most anonymous memory the server has held (KiB): what it allocated itself.
    fn peak_anon_kib(&self) -> u64 {
        self.peak_anon_kib.load(Ordering::Relaxed)
    }
}

/// The command name and CPU time (user and system, in clock ticks) of process `pid`, from
/// /proc; `None` once it is gone.
fn process_cpu_ticks(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command's name is in parentheses and may hold spaces: the fields follow it.
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1.to_string();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((name, fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?))
}

/// A field of /proc/PID/status in KiB; `None` once the process is gone (or has exited and
/// waits to be reaped, when the field is missing).
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|line| line.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

impl Server {
    /// An error if the server process has ended (a crash) while it was driven.
    fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => bail!("the server exited during the benchmark: {status}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Users whose desserts have photos: those the 64-connection scenarios log in as.
const USERS_WITH_PHOTOS: i64 = 64;

/// The kitchen shared with `user`, where they are an editor: the next user's (among those with
/// photos), so its list page is like the user's own.
fn shared_kitchen(user: usize, users: usize) -> usize {
    let with_photos = users.min(USERS_WITH_PHOTOS as usize);
    user % with_photos + 1
}

/// Which of a user's desserts have a photo: every other one of the first page by name, so
/// the list page shows ten thumbnails.
fn has_photo(user: i64, dessert: i64) -> bool {
    user <= USERS_WITH_PHOTOS && dessert < 20 && dessert % 2 == 0
}

/// A photo as an upload of a camera's picture makes it, shared by every dessert that has one.
fn sample_photo() -> anyhow::Result<desserts::domain::NewPhoto> {
    desserts::photos::make_photo(&camera_jpeg(3000, 2000, 90, 24)).map_err(|refusal| anyhow::anyhow!("{refusal}"))
}

/// A JPEG like a camera's: gradients with `noise` levels of grain.
fn camera_jpeg(width: u32, height: u32, quality: u8, noise: u32) -> Vec<u8> {
    let mut seed = 0x9E37_79B9_u32;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = (seed % noise.max(1)) as u8;
        image::Rgb([
            ((x * 200 / width) as u8).saturating_add(grain),
            ((y * 180 / height) as u8).saturating_add(grain),
            (((x + y) * 120 / (width + height)) as u8 + 60).saturating_add(grain / 2),
        ])
    });
    let mut out = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&picture);
    out
}

/// Users `user1`... with one shared password hash (hashing each would take minutes), each
/// with `desserts` desserts, written in one transaction.
async fn build_database(url: &DatabaseUrl, users: usize, desserts: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    // The whole database is one transaction, which takes longer than a request may wait
    // for PostgreSQL on a small machine.
    let settings = PoolSettings {
        timeout: Duration::from_secs(600),
        ..PoolSettings::default()
    };
    let store = Store::open(url, settings)?;
    store.migrate().await?;
    let hash = desserts::passwords::hash_blocking(PASSWORD)?;
    let photo = sample_photo()?;
    eprintln!(
        "sample photo: {} bytes ({}×{}), thumbnail {} bytes ({}×{})",
        photo.full.bytes.len(),
        photo.full.width,
        photo.full.height,
        photo.thumbnail.bytes.len(),
        photo.thumbnail.width,
        photo.thumbnail.height
    );
    let mut dump = Dump::default();
    for u in 1..=users as i64 {
        dump.users.push(UserRow {
            id: u,
            username: format!("user{u}"),
            username_key: format!("user{u}"),
            email: format!("user{u}@example.com"),
            email_key: format!("user{u}@example.com"),
            name: format!("User {u}"),
            avatar: None,
            password_hash: hash.clone(),
            created_at: 1_700_000_000,
            email_confirmed_at: None,
            public_name: None,
            currency: "USD".into(),
            is_admin: false,
            disabled_at: None,
            last_login_at: None,
        });
        // Each account's personal kitchen, under the account's id.
        dump.kitchens.push(KitchenRow {
            id: u,
            name: format!("user{u}"),
            personal_of: Some(u),
            currency: "USD".into(),
            created_at: 1_700_000_000,
        });
        dump.memberships.push(MembershipRow {
            kitchen_id: u,
            user_id: u,
            role: "owner".into(),
            joined_at: 1_700_000_000,
        });
        let shared = shared_kitchen(u as usize, users) as i64;
        if u <= USERS_WITH_PHOTOS && shared != u {
            dump.memberships.push(MembershipRow {
                kitchen_id: shared,
                user_id: u,
                role: "editor".into(),
                joined_at: 1_700_000_000,
            });
        }
        for d in 0..desserts as i64 {
            let name = format!("Dessert {d:05} of user {u}");
            let id = (u - 1) * desserts as i64 + d + 1;
            if has_photo(u, d) {
                dump.photos.push(PhotoRow {
                    dessert_id: id,
                    created_at: 1_700_000_000,
                    photo: photo.clone(),
                });
            }
            dump.desserts.push(DessertRow {
                id,
                kitchen_id: u,
                name_key: name.to_lowercase(),
                name,
                price_cents: 100 + (d * 37) % 900,
                calories: (d * 53) % 1000,
                origin: (d % 3 == 0).then(|| "France".to_string()),
                image_url: (d % 4 == 0).then(|| format!("https://example.com/{d}.jpg")),
                liked: d % 5 == 0,
                created_at: 1_700_000_000 + d,
                updated_at: 1_700_000_000 + d,
                // A third not declared, a third declared free of all 14, a third with milk
                // and eggs (bits 6 and 2) and a trace of nuts (bit 7).
                allergens: match d % 3 {
                    0 => None,
                    1 => Some(0),
                    _ => Some((1 << 6) | (1 << 2)),
                },
                traces: if d % 3 == 2 { 1 << 7 } else { 0 },
            });
            // Every user has a label "Seasonal", on every fourth dessert.
            if d % 4 == 0 {
                dump.dessert_labels.push(DessertLabelRow {
                    dessert_id: id,
                    label_id: u,
                    kitchen_id: u,
                });
            }
        }
        // Every user has a published menu of their first twenty desserts, in reverse order.
        dump.menus.push(MenuRow {
            id: u,
            kitchen_id: u,
            name: "Today".into(),
            name_key: "today".into(),
            public_slug: Some(menu_slug(u as usize)),
            created_at: 1_700_000_000,
            published: true,
        });
        for d in 0..(desserts as i64).min(20) {
            dump.menu_entries.push(MenuEntryRow {
                menu_id: u,
                dessert_id: (u - 1) * desserts as i64 + d + 1,
                kitchen_id: u,
                added_at: 1_700_000_000,
                position: 20 - d,
            });
        }
        dump.labels.push(LabelRow {
            id: u,
            kitchen_id: u,
            name: "Seasonal".into(),
            name_key: "seasonal".into(),
            created_at: 1_700_000_000,
        });
    }
    desserts::store::dump::write_all(&store, dump).await?;
    store.refresh_statistics().await?;
    eprintln!(
        "built {} users × {desserts} desserts in {:.1} s",
        users,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What one scenario measured.
#[derive(Debug, Default)]
struct Measured {
    latencies_us: Vec<u32>,
    errors: u64,
    /// Logins the server turned away on purpose (429: too many from one address; 503: the
    /// hashing queue is full): its limits at work, not failures.
    limited: u64,
    elapsed: Duration,
    /// CPU time the server spent meanwhile (user and system), in clock ticks.
    server_cpu_ticks: u64,
    /// CPU time PostgreSQL's processes spent meanwhile, when the server's database is
    /// PostgreSQL on this machine.
    database_cpu_ticks: Option<u64>,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The server's CPU time per answered request, in microseconds: steadier than req/s on
    /// a shared machine, where the load generator and other work take turns with the server.
    fn server_cpu_us(&self) -> f64 {
        self.per_request_us(self.server_cpu_ticks)
    }

    /// PostgreSQL's CPU time per answered request, in microseconds, where it was measured.
    fn database_cpu_us(&self) -> Option<f64> {
        self.database_cpu_ticks.map(|ticks| self.per_request_us(ticks))
    }

    fn per_request_us(&self, ticks: u64) -> f64 {
        let ticks_per_second = 100.0;
        ticks as f64 / ticks_per_second * 1e6 / (self.latencies_us.len().max(1) as f64)
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let index = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

/// Runs `scenario` on one keep-alive connection per session for `time`.
async fn drive(server: &Server, sessions: &[Session], scenario: Scenario, time: Duration, desserts: usize) -> Measured {
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let cpu_before = server.cpu_ticks();
    let database_before = server.database_cpu_ticks();
    let started = Instant::now();
    let tasks: Vec<_> = sessions
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, session)| {
            let (stop, counter, port) = (stop.clone(), counter.clone(), server.port);
            tokio::spawn(async move { connection(port, session, scenario, i, desserts, stop, counter).await })
        })
        .collect();
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok((latencies, errors, limited)) = task.await {
            measured.latencies_us.extend(latencies);
            measured.errors += errors;
            measured.limited += limited;
        }
    }
    measured.elapsed = started.elapsed();
    measured.server_cpu_ticks = server.cpu_ticks().saturating_sub(cpu_before);
    if server.on_postgres {
        // Connections the pool opened meanwhile count from zero; one that closed meanwhile
        // is missed, which the pool does not do under steady load.
        let database_after = server.database_cpu_ticks();
        measured.database_cpu_ticks = Some(
            database_after
                .iter()
                .map(|(pid, ticks)| ticks.saturating_sub(database_before.get(pid).copied().unwrap_or(0)))
                .sum(),
        );
    }
    measured.latencies_us.sort_unstable();
    measured
}

async fn connection(
    port: u16,
    session: Session,
    scenario: Scenario,
    index: usize,
    desserts: usize,
    stop: Arc<AtomicBool>,
    counter: Arc<AtomicU64>,
) -> (Vec<u32>, u64, u64) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut limited = 0;
    let Ok(mut sender) = open(port).await else {
        return (latencies, 1, 0);
    };
    let first_dessert = (session.user - 1) * desserts + 1;
    let upload = if scenario == Scenario::Upload {
        UPLOAD.clone()
    } else {
        Bytes::new()
    };
    let mut sent = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        sent += 1;
        let (request, expected) = match scenario {
            Scenario::Static => (get("/static/style.css", None), StatusCode::OK),
            Scenario::List | Scenario::ListShared => (get("/?sort=name&dir=asc", Some(&session.cookie)), StatusCode::OK),
            Scenario::ListFresh => (get(&fresh_list_path(sent), Some(&session.cookie)), StatusCode::OK),
            Scenario::ListFreeOf => (get("/?free_of=milk&sort=name&dir=asc", Some(&session.cookie)), StatusCode::OK),
            Scenario::ListLabel => (get("/?label=seasonal&sort=name&dir=asc", Some(&session.cookie)), StatusCode::OK),
            Scenario::ListCompressed => (
                get("/?sort=name&dir=asc", Some(&session.cookie)).map(|mut request| {
                    request
                        .headers_mut()
                        .insert("accept-encoding", hyper::header::HeaderValue::from_static("br, gzip"));
                    request
                }),
                StatusCode::OK,
            ),
            Scenario::PublicMenu => (get(&format!("/m/{}", menu_slug(session.user)), None), StatusCode::OK),
            Scenario::Dessert => {
                let id = first_dessert + (n as usize % desserts.max(1));
                (get(&format!("/desserts/{id}"), Some(&session.cookie)), StatusCode::OK)
            }
            Scenario::Thumbnail => {
                // Ten of the first twenty desserts have one.
                let id = first_dessert + 2 * (n as usize % 10);
                (
                    get(&format!("/desserts/{id}/photo?size=thumb"), Some(&session.cookie)),
                    StatusCode::OK,
                )
            }
            Scenario::Upload => {
                let id = first_dessert + 1 + 2 * (n as usize % 10);
                let request = Request::put(format!("/api/v1/desserts/{id}/photo"))
                    .header("host", "127.0.0.1")
                    .header("authorization", format!("Bearer {}", session.token))
                    .header("content-type", "image/jpeg")
                    .body(Full::new(upload.clone()));
                (request, StatusCode::OK)
            }
            Scenario::Add => {
                let body = format!("csrf_token={}&name=Bench+{index}-{n}&price=1.50&calories=100", session.csrf);
                (form("/add", Some(&session.cookie), body), StatusCode::SEE_OTHER)
            }
            Scenario::ApiList => {
                let request = Request::get("/api/v1/desserts")
                    .header("host", "127.0.0.1")
                    .header("authorization", format!("Bearer {}", session.token))
                    .body(Full::new(Bytes::new()));
                (request, StatusCode::OK)
            }
            Scenario::Login => {
                // A login form is a fresh anonymous session: fetch it first, untimed.
                let Ok((cookie, csrf)) = login_form(&mut sender).await else {
                    errors += 1;
                    continue;
                };
                let body = format!(
                    "csrf_token={csrf}&next=%2F&username=user{}&password=correct+horse+battery",
                    session.user
                );
                (form("/login", Some(&cookie), body), StatusCode::SEE_OTHER)
            }
        };
        let Ok(request) = request else {
            errors += 1;
            continue;
        };
        let started = Instant::now();
        match send(&mut sender, request).await {
            Ok((status, _, _)) if status == expected => {
                latencies.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            }
            Ok((status, _, _))
                if scenario == Scenario::Login
                    && (status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE) =>
            {
                limited += 1;
            }
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                match open(port).await {
                    Ok(fresh) => sender = fresh,
                    Err(_) => break,
                }
            }
        }
    }
    (latencies, errors, limited)
}

/// The 12-megapixel camera JPEG every upload sends.
static UPLOAD: std::sync::LazyLock<Bytes> = std::sync::LazyLock::new(|| Bytes::from(camera_jpeg(4000, 3000, 92, 24)));

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn open(port: u16) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

fn get(path: &str, cookie: Option<&str>) -> hyper::http::Result<Request<Full<Bytes>>> {
    let mut request = Request::get(path).header("host", "127.0.0.1");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Full::new(Bytes::new()))
}

fn form(path: &str, cookie: Option<&str>, body: String) -> hyper::http::Result<Request<Full<Bytes>>> {
    let mut request = Request::post(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Full::new(Bytes::from(body)))
}

async fn send(sender: &mut Sender, request: Request<Full<Bytes>>) -> anyhow::Result<(StatusCode, hyper::HeaderMap, String)> {
    sender.ready().await?;
    let response = tokio::time::timeout(Duration::from_secs(30), sender.send_request(request)).await??;
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok((parts.status, parts.headers, String::from_utf8_lossy(&body).into_owned()))
}

/// One request on a connection of its own: for setting up.
async fn fetch(
    port: u16,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> anyhow::Result<(StatusCode, hyper::HeaderMap, String)> {
    let mut sender = open(port).await?;
    let mut request = Request::builder().method(method).uri(path).header("host", "127.0.0.1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(&mut sender, request.body(Full::new(Bytes::from(body.unwrap_or_default())))?).await
}

fn session_cookie(headers: &hyper::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("desserts_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_string)
}

fn csrf_token(page: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_string())
}

async fn login_form(sender: &mut Sender) -> anyhow::Result<(String, String)> {
    let (_, headers, page) = send(sender, get("/login", None)?).await?;
    let cookie = session_cookie(&headers).context("no session cookie")?;
    Ok((cookie, csrf_token(&page).context("no token")?))
}

/// Logs `user{n}` in; returns the session cookie and the page's token.
async fn login(port: u16, user: usize) -> anyhow::Result<(String, String)> {
    let mut sender = open(port).await?;
    let (cookie, csrf) = login_form(&mut sender).await?;
    let body = format!("csrf_token={csrf}&next=%2F&username=user{user}&password=correct+horse+battery");
    let (status, headers, _) = send(&mut sender, form("/login", Some(&cookie), body)?).await?;
    if status != StatusCode::SEE_OTHER {
        bail!("login of user{user} answered {status}");
    }
    Ok((session_cookie(&headers).context("no cookie after login")?, csrf))
}

fn table(rows: &[(String, Measured)], connections: usize) -> String {
    let ceiling = rows.first().map_or(1.0, |(_, m)| m.per_second().max(1e-9));
    let mut out = format!(
        "| scenario ({connections} connections unless said) | req/s | p50 ms | p99 ms | max ms | errors | of ceiling | server CPU µs/req | PostgreSQL CPU µs/req |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    for (label, m) in rows {
        out.push_str(&format!(
            "| {label} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {:.0} % | {:.0} | {} |\n",
            m.per_second(),
            m.percentile_ms(0.5),
            m.percentile_ms(0.99),
            m.percentile_ms(1.0),
            if m.limited > 0 {
                format!("{} ({} turned away by the limits)", m.errors, m.limited)
            } else {
                m.errors.to_string()
            },
            100.0 * m.per_second() / ceiling,
            m.server_cpu_us(),
            m.database_cpu_us().map_or_else(|| "–".to_string(), |us| format!("{us:.0}"))
        ));
    }
    out
}

/// Notes `errors` of what `label` names among the failures, if there were any.
fn count_errors(failed: &mut Vec<String>, label: &str, errors: u64) {
    if errors > 0 {
        failed.push(format!("{label}: {errors} errors"));
    }
}

/// The list page's p99 alone, then beside connections that do nothing but log in.
async fn contention(dir: &Path, args: &Args, time: Duration, failed: &mut Vec<String>) -> anyhow::Result<String> {
    let sub = dir.join("contention");
    std::fs::create_dir_all(&sub)?;
    let server = Server::start(&sub, 100, args.desserts).await?;
    let readers = server.log_in(32, 100).await?;
    let alone = drive(&server, &readers, Scenario::List, time, args.desserts).await;
    let flooders = server.log_in(16, 100).await?;
    let (beside, flood) = tokio::join!(
        drive(&server, &readers, Scenario::List, time, args.desserts),
        drive(&server, &flooders, Scenario::Login, time, args.desserts)
    );
    count_errors(failed, "contention: the list alone", alone.errors);
    count_errors(failed, "contention: the list beside logins", beside.errors);
    count_errors(failed, "contention: the logins", flood.errors);
    Ok(format!(
        "\n### Contention: the list page beside a flood of logins\n\n\
         | list page, 32 connections | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|\n\
         | alone | {:.0} | {:.2} | {:.2} | {} |\n\
         | beside 16 connections logging in ({:.0} logins/s) | {:.0} | {:.2} | {:.2} | {} |\n\n\
         p99 beside the flood is {:.2}× p99 alone.\n",
        alone.per_second(),
        alone.percentile_ms(0.5),
        alone.percentile_ms(0.99),
        alone.errors,
        flood.per_second(),
        beside.per_second(),
        beside.percentile_ms(0.5),
        beside.percentile_ms(0.99),
        beside.errors + flood.errors,
        beside.percentile_ms(0.99) / alone.percentile_ms(0.99).max(1e-9),
    ))
}

/// Photo uploads: how many a second, what they do to the list page's p99, and the server's
/// peak memory with eight uploads of the largest image allowed at once.
async fn photos(dir: &Path, args: &Args, time: Duration, failed: &mut Vec<String>) -> anyhow::Result<String> {
    let sub = dir.join("photos");
    std::fs::create_dir_all(&sub)?;
    let server = Server::start(&sub, 100, args.desserts).await?;
    let readers = server.log_in(32, 100).await?;
    let uploaders = server.log_in(4, 100).await?;
    eprintln!("upload: {} bytes", UPLOAD.len());
    let uploads = drive(&server, &uploaders, Scenario::Upload, time, args.desserts).await;
    let alone = drive(&server, &readers, Scenario::List, time, args.desserts).await;
    let (beside, during) = tokio::join!(
        drive(&server, &readers, Scenario::List, time, args.desserts),
        drive(&server, &uploaders, Scenario::Upload, time, args.desserts)
    );
    drop(server);

    // A fresh server, so that its peak memory is that of the eight uploads.
    let sub = dir.join("photos-memory");
    std::fs::create_dir_all(&sub)?;
    let server = Server::start(&sub, 10, 10).await?;
    let before = server.peak_rss_kib();
    let largest = Bytes::from(camera_jpeg(10_000, 4_000, 85, 20));
    let sessions = server.log_in(8, 10).await?;
    let started = Instant::now();
    let answers = futures_all(sessions.iter().map(|session| {
        let (port, token, body) = (server.port, session.token.clone(), largest.clone());
        let id = (session.user - 1) * 10 + 1;
        async move {
            let mut sender = open(port).await?;
            let request = Request::put(format!("/api/v1/desserts/{id}/photo"))
                .header("host", "127.0.0.1")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "image/jpeg")
                .body(Full::new(body))?;
            Ok::<_, anyhow::Error>(send(&mut sender, request).await?.0)
        }
    }))
    .await;
    let took = started.elapsed();
    let ok = answers.iter().filter(|answer| matches!(answer, Ok(StatusCode::OK))).count();
    let peak = server.peak_rss_kib();
    count_errors(failed, "photos: uploads", uploads.errors);
    count_errors(failed, "photos: the list alone", alone.errors);
    count_errors(failed, "photos: the list beside uploads", beside.errors);
    count_errors(failed, "photos: eight large uploads at once", (answers.len() - ok) as u64);
    Ok(format!(
        "\n### Photos\n\n\
         | measure | value |\n|---|---:|\n\
         | uploads of a 12 MP JPEG ({:.1} MB), 4 connections | {:.1} per second, p50 {:.0} ms, p99 {:.0} ms, {} errors |\n\
         | list page p99, 32 connections, alone | {:.2} ms ({:.0} req/s) |\n\
         | list page p99 beside the uploads ({:.1} uploads/s) | {:.2} ms ({:.0} req/s), {:.2}× alone |\n\
         | eight uploads at once of a 40 MP JPEG ({:.1} MB) | {ok} of 8 stored in {:.1} s |\n\
         | server peak RSS (VmHWM): before → after those eight | {:.1} MiB → {:.1} MiB |\n",
        UPLOAD.len() as f64 / 1e6,
        uploads.per_second(),
        uploads.percentile_ms(0.5),
        uploads.percentile_ms(0.99),
        uploads.errors,
        alone.percentile_ms(0.99),
        alone.per_second(),
        during.per_second(),
        beside.percentile_ms(0.99),
        beside.per_second(),
        beside.percentile_ms(0.99) / alone.percentile_ms(0.99).max(1e-9),
        largest.len() as f64 / 1e6,
        took.as_secs_f64(),
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
    ))
}

/// Runs every future at once and waits for them all.
async fn futures_all<T: Send + 'static>(futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>) -> Vec<T> {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(value) = task.await {
            out.push(value);
        }
    }
    out
}

/// The list page's p50 as the table grows: 1 k, 100 k and 1 M desserts (100 per user),
/// unfiltered and with each filter.
async fn scale(dir: &Path, time: Duration) -> anyhow::Result<String> {
    let mut out = String::from(
        "\n### Scale: the list page as the table grows\n\n\
         | desserts in the database | list p50 ms | list p99 ms | req/s | page not kept p50 ms | `free_of=milk` p50 ms | `label=seasonal` p50 ms |\n\
         |---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for users in [10, 1_000, 10_000] {
        let sub = dir.join(format!("scale-{users}"));
        std::fs::create_dir_all(&sub)?;
        let server = Server::start(&sub, users, 100).await?;
        let sessions = server.log_in(16, users).await?;
        let all = drive(&server, &sessions, Scenario::List, time, 100).await;
        let fresh = drive(&server, &sessions, Scenario::ListFresh, time, 100).await;
        let free_of = drive(&server, &sessions, Scenario::ListFreeOf, time, 100).await;
        let label = drive(&server, &sessions, Scenario::ListLabel, time, 100).await;
        out.push_str(&format!(
            "| {} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} |\n",
            users * 100,
            all.percentile_ms(0.5),
            all.percentile_ms(0.99),
            all.per_second(),
            fresh.percentile_ms(0.5),
            free_of.percentile_ms(0.5),
            label.percentile_ms(0.5),
        ));
    }
    Ok(out)
}

fn machine(args: &Args) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024 / 1024);
    let date = time::OffsetDateTime::now_utc().date();
    format!(
        "Run on {date}: {cores} cores ({cpu}), {memory} GiB; server and load generator on the same cores, \
         release build, SQLite, {} users × {} desserts, {} s per scenario.\n",
        args.users, args.desserts, args.seconds
    )
}

const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";

fn write_between_markers(path: &Path, content: &str) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{START}\n{content}\n{END}");
    let updated = match (existing.find(START), existing.find(END)) {
        (Some(start), Some(end)) if end > start => format!("{}{block}{}", &existing[..start], &existing[end + END.len()..]),
        _ => format!("{existing}\n## The benchmark\n\n{block}\n"),
    };
    std::fs::write(path, updated)?;
    Ok(())
}
