//! `celestra`: validate and plan Celestra workflows from the command line.
//!
//! Exit codes: 0 success (warnings allowed), 1 the document has errors (findings, malformed
//! JSON, a dependency cycle), 2 usage or I/O problems.

use celestra_core::plan::{Plan, WaitReason};
use celestra_core::span::locate;
use celestra_core::{Diagnostic, Error, Mode, Report, Target, ValidateOptions, Workflow, api};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{Read, Write};
use std::process::ExitCode;

mod deploy;

/// Generation allocates and frees many small JSON trees; mimalloc is much faster at that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "celestra", version, about = "Validate and plan Celestra workflows", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a workflow: findings with codes, locations and hints (exit 1 on errors).
    Validate {
        /// Workflow JSON file, or `-` for standard input.
        file: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// `generate` (default) or `live` (missing images are warnings while editing).
        #[arg(long, value_enum, default_value_t = CliMode::Generate)]
        mode: CliMode,
        /// Also report what the given output target cannot express.
        #[arg(long, value_enum)]
        target: Option<CliTarget>,
    },
    /// Show the execution plan: dependency waves, readiness gates, what waits for what.
    Plan {
        /// Workflow JSON file, or `-` for standard input.
        file: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
        format: PlanFormat,
    },
    /// Generate Kubernetes YAML, Docker Compose, a Helm chart or a Celestra DSL program.
    Generate {
        /// Workflow JSON file, or `-` for standard input.
        file: String,
        /// What to generate.
        #[arg(long, value_enum)]
        target: CliTarget,
        /// Write the files into this directory (default: print them).
        #[arg(short = 'o', long)]
        out: Option<std::path::PathBuf>,
        /// Kubernetes version of the target cluster (e.g. 1.20 … 1.37; default 1.30).
        #[arg(long)]
        kubernetes_version: Option<String>,
        /// Kubernetes target: one file per object instead of one multi-document file.
        #[arg(long)]
        per_object: bool,
        /// Replace secret values by `<redacted>`.
        #[arg(long)]
        redact_secrets: bool,
        /// Print everything (files and the fidelity ledger) as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the fidelity ledger to this file (JSON).
        #[arg(long)]
        ledger: Option<std::path::PathBuf>,
    },
    /// Print the JSON Schema of the workflow document.
    Schema,
    /// List every diagnostic code.
    Codes {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CodesFormat::Text)]
        format: CodesFormat,
    },
    /// Explain one diagnostic code.
    Explain {
        /// The code, e.g. PORT_RANGE.
        code: String,
    },
    /// The readiness of Kubernetes objects (YAML or JSON, several documents or a List): per
    /// object its kstatus status (Current / InProgress / Failed / Terminating / Unknown), reason
    /// and message, or with --gate the deploy gate's verdict (ready / waiting / failed).
    /// Exit 0 when every object is Current (ready), 1 otherwise, 2 on unreadable input.
    Health {
        /// Objects file (`kubectl get -o yaml|json` output works), or `-` for standard input.
        file: String,
        /// The deploy gate's verdict instead of kstatus's status.
        #[arg(long)]
        gate: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = HealthFormat::Text)]
        format: HealthFormat,
    },
    /// Deploy a workflow in its plan's waves, gated by readiness (exit 1 if it fails).
    Deploy {
        /// Workflow JSON file, or `-` for standard input.
        file: String,
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The Docker Compose project (default: the workflow's name).
        #[arg(long)]
        project: Option<String>,
        /// Host address NodePort/LoadBalancer ports are published on (default 127.0.0.1).
        #[arg(long)]
        publish_address: Option<String>,
        /// Show what would change (create / update / recreate / unchanged / prune) and stop.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        run: deploy::RunArgs,
    },
    /// What a deploy would change, by a server-side dry run against the live objects
    /// (Kubernetes): `kubectl diff`-style text, or JSON. Exit 0 when nothing would change, 1
    /// when something would, 2 on errors.
    Diff {
        /// Workflow JSON file, or `-` for standard input.
        file: String,
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The project (default: the workflow's name).
        #[arg(long)]
        project: Option<String>,
    },
    /// The status of a project's current revision, per node (`--watch` follows it).
    Status {
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// Keep printing the status whenever it changes (Ctrl-C stops).
        #[arg(long)]
        watch: bool,
    },
    /// The revisions of a project.
    History {
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The project.
        #[arg(long)]
        project: String,
    },
    /// Deploy an earlier revision again, as a new revision (default: the previous successful one).
    Rollback {
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// The revision to restore.
        #[arg(long)]
        to: Option<u64>,
        #[command(flatten)]
        run: deploy::RunArgs,
    },
    /// Remove a project: Docker containers and networks (and volumes, with --volumes), or every
    /// Kubernetes object of its inventory (background deletion: no orphaned pods).
    #[command(visible_alias = "delete")]
    Down {
        #[command(flatten)]
        target: deploy::TargetArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// Also remove the volumes, and the data in them.
        #[arg(long)]
        volumes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    Table,
    Json,
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum)]
enum HealthFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CodesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CliMode {
    Generate,
    Live,
}

#[derive(Clone, Copy, ValueEnum)]
enum CliTarget {
    #[value(alias = "kubernetes")]
    K8s,
    Compose,
    Helm,
    Dsl,
}

/// Standard output that ends the program quietly when the reader goes away (`celestra … | head`).
struct Out(std::io::Stdout);

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r,
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r,
        }
    }
}

fn stdout() -> Out {
    Out(std::io::stdout())
}

macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(stdout(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("celestra: {msg}");
            ExitCode::from(2)
        }
    }
}

fn read_input(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))
    }
}

fn display_name(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
}

/// Prints a document-level error (malformed JSON, refused document) like a compiler does.
fn print_error(file: &str, e: &Error, out: &mut impl Write) -> std::io::Result<()> {
    match e {
        Error::Parse {
            message,
            line,
            column,
            ..
        } => {
            writeln!(out, "error[PARSE]: malformed JSON: {message}")?;
            writeln!(out, "  --> {}:{line}:{column}", display_name(file))?;
        }
        other => {
            writeln!(out, "error[{}]: {other}", other.code())?;
            writeln!(out, "  --> {}", display_name(file))?;
        }
    }
    Ok(())
}

fn parse(file: &str, text: &str, json: bool) -> Result<Workflow, ExitCode> {
    match api::parse_str(text) {
        Ok(wf) => Ok(wf),
        Err(e) => {
            if json {
                let v = serde_json::json!({
                    "error": {
                        "code": e.code(),
                        "message": e.to_string(),
                        "line": match &e { Error::Parse { line, .. } => Some(*line), _ => None },
                        "column": match &e { Error::Parse { column, .. } => Some(*column), _ => None },
                    }
                });
                say!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                let _ = print_error(file, &e, &mut stdout());
            }
            Err(ExitCode::from(1))
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate {
            file,
            format,
            mode,
            target,
        } => {
            let text = read_input(&file)?;
            let json = matches!(format, ReportFormat::Json);
            let wf = match parse(&file, &text, json) {
                Ok(wf) => wf,
                Err(code) => return Ok(code),
            };
            let opts = ValidateOptions {
                mode: match mode {
                    CliMode::Generate => Mode::Generate,
                    CliMode::Live => Mode::Live,
                },
                target: target.map(|t| match t {
                    CliTarget::K8s => Target::Kubernetes,
                    CliTarget::Compose => Target::Compose,
                    CliTarget::Helm => Target::Helm,
                    CliTarget::Dsl => Target::Dsl,
                }),
            };
            let report = api::validate_with(&wf, &opts);
            let mut out = stdout();
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                )
                .map_err(|e| e.to_string())?;
            } else {
                print_report(&file, &text, &wf, &report, &mut out).map_err(|e| e.to_string())?;
            }
            Ok(if report.is_valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Plan { file, format } => {
            let text = read_input(&file)?;
            let json = matches!(format, PlanFormat::Json);
            let wf = match parse(&file, &text, json) {
                Ok(wf) => wf,
                Err(code) => return Ok(code),
            };
            let mut out = stdout();
            match api::plan(&wf) {
                Ok(plan) => {
                    let r = match format {
                        PlanFormat::Json => writeln!(
                            out,
                            "{}",
                            serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?
                        ),
                        PlanFormat::Table => print_plan_table(&plan, &mut out),
                        PlanFormat::Mermaid => print_mermaid(&plan, &mut out),
                    };
                    r.map_err(|e| e.to_string())?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    if json {
                        let v = serde_json::json!({"error": {"code": e.code(), "message": e.to_string(), "diagnostics": e.diagnostics()}});
                        writeln!(
                            out,
                            "{}",
                            serde_json::to_string_pretty(&v).unwrap_or_default()
                        )
                        .map_err(|e| e.to_string())?;
                    } else {
                        writeln!(out, "error[{}]: cannot plan this workflow", e.code())
                            .map_err(|e| e.to_string())?;
                        for d in e.diagnostics() {
                            print_diagnostic(&file, &text, &wf, d, &mut out)
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Generate {
            file,
            target,
            out,
            kubernetes_version,
            per_object,
            redact_secrets,
            json,
            ledger,
        } => {
            let text = read_input(&file)?;
            let wf = match parse(&file, &text, json) {
                Ok(wf) => wf,
                Err(code) => return Ok(code),
            };
            let opts = celestra_core::GenerateOptions {
                kubernetes_version,
                layout: if per_object {
                    celestra_core::generate::Layout::PerObject
                } else {
                    celestra_core::generate::Layout::SingleFile
                },
                redact_secrets,
            };
            let target = match target {
                CliTarget::K8s => Target::Kubernetes,
                CliTarget::Compose => Target::Compose,
                CliTarget::Helm => Target::Helm,
                CliTarget::Dsl => Target::Dsl,
            };
            let generated = match api::generate(&wf, target, &opts) {
                Ok(g) => g,
                Err(e) => {
                    let mut o = stdout();
                    let _ = writeln!(o, "error[{}]: {e}", e.code());
                    for d in e.diagnostics() {
                        let _ = print_diagnostic(&file, &text, &wf, d, &mut o);
                    }
                    return Ok(ExitCode::from(if e.code() == "OPTION" { 2 } else { 1 }));
                }
            };
            if let Some(path) = ledger {
                let text =
                    serde_json::to_string_pretty(&generated.ledger).map_err(|e| e.to_string())?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                std::fs::write(&path, text + "\n")
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            if json {
                say!(
                    "{}",
                    serde_json::to_string_pretty(&generated).map_err(|e| e.to_string())?
                );
            } else if let Some(dir) = out {
                for (rel, content) in &generated.files {
                    let path = dir.join(rel);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                    }
                    std::fs::write(&path, content)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
                eprintln!(
                    "celestra: wrote {} file(s) to {}",
                    generated.files.len(),
                    dir.display()
                );
            } else if generated.files.len() == 1 {
                let _ = write!(
                    stdout(),
                    "{}",
                    generated.files.values().next().expect("one file")
                );
            } else {
                for (rel, content) in &generated.files {
                    say!("# file: {rel}");
                    let _ = write!(stdout(), "{content}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            say!(
                "{}",
                serde_json::to_string_pretty(&api::schema_from_types())
                    .map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Codes { format } => {
            match format {
                CodesFormat::Markdown => {
                    let _ = write!(stdout(), "{}", api::diagnostics_markdown());
                }
                CodesFormat::Json => say!(
                    "{}",
                    serde_json::to_string_pretty(&api::codes()).map_err(|e| e.to_string())?
                ),
                CodesFormat::Text => {
                    for c in api::codes() {
                        say!("{:<28} {:<8} {}", c.code, c.severity.as_str(), c.title);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Deploy {
            file,
            target,
            project,
            publish_address,
            dry_run,
            run,
        } => {
            let text = read_input(&file)?;
            deploy::deploy(
                &file,
                &text,
                &target,
                project,
                publish_address,
                dry_run,
                &run,
            )
        }
        Command::Status {
            target,
            project,
            watch,
        } => deploy::status(&target, project, watch),
        Command::History { target, project } => deploy::history(&target, project),
        Command::Rollback {
            target,
            project,
            to,
            run,
        } => deploy::rollback(&target, project, to, &run),
        Command::Health { file, gate, format } => health(&file, gate, format),
        Command::Diff {
            file,
            target,
            project,
        } => {
            let text = read_input(&file)?;
            deploy::diff(&file, &text, &target, project)
        }
        Command::Down {
            target,
            project,
            volumes,
        } => deploy::down(&target, project, volumes),
        Command::Explain { code } => match api::explain(&code.to_ascii_uppercase()) {
            Some(i) => {
                say!("{} ({}, {})\n", i.code, i.severity.as_str(), i.origin);
                say!("{}\n", i.title);
                say!("Why: {}\n", i.why);
                say!("Fix: {}\n", i.fix);
                say!("Example: {}", i.example);
                Ok(ExitCode::SUCCESS)
            }
            None => match celestra_core::ERROR_CODES
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(&code))
            {
                Some((c, text)) => {
                    say!("{c} (error code: the operation could not proceed)\n\n{text}");
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(format!(
                    "unknown code {code:?}; `celestra codes` lists them"
                )),
            },
        },
    }
}

fn node_label(wf: &Workflow, id: &str) -> String {
    match wf.nodes.iter().find(|n| n.id == id) {
        Some(n) if !n.name().is_empty() => format!("node {:?} ({id})", n.name()),
        _ => format!("node {id}"),
    }
}

fn print_diagnostic(
    file: &str,
    text: &str,
    wf: &Workflow,
    d: &Diagnostic,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message)?;
    let pos = locate(text, d)
        .map(|p| format!("{}:{}:{}", display_name(file), p.line, p.column))
        .unwrap_or_else(|| display_name(file).to_owned());
    let mut what = Vec::new();
    if let Some(id) = &d.node_id {
        what.push(node_label(wf, id));
    }
    if let Some(id) = &d.connection_id {
        what.push(format!("connection {id}"));
    }
    if let Some(p) = &d.property {
        what.push(p.clone());
    }
    if what.is_empty() {
        writeln!(out, "  --> {pos}")?;
    } else {
        writeln!(out, "  --> {pos}  {}", what.join(" · "))?;
    }
    if d.code == celestra_core::Code::GraphCycle && !d.related.is_empty() {
        let chain: Vec<String> = d
            .related
            .iter()
            .map(|r| match &r.connection_id {
                Some(c) => format!("{} --{c}-->", r.label),
                None => format!("{} -->", r.label),
            })
            .collect();
        writeln!(
            out,
            "   = cycle: {} {}",
            chain.join(" "),
            d.related[0].label
        )?;
    } else {
        for r in &d.related {
            let id = r
                .node_id
                .as_deref()
                .or(r.connection_id.as_deref())
                .unwrap_or("");
            writeln!(out, "   = related: {} ({id})", r.label)?;
        }
    }
    if let Some(h) = &d.hint {
        writeln!(out, "   = hint: {h}")?;
    }
    Ok(())
}

fn print_report(
    file: &str,
    text: &str,
    wf: &Workflow,
    r: &Report,
    out: &mut impl Write,
) -> std::io::Result<()> {
    for d in r.iter() {
        print_diagnostic(file, text, wf, d, out)?;
        writeln!(out)?;
    }
    let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}: {}, {}, {}",
        if r.is_valid { "valid" } else { "invalid" },
        n(r.errors.len(), "error"),
        n(r.warnings.len(), "warning"),
        n(r.infos.len(), "info")
    )
}

fn gate_text(s: &celestra_core::plan::Step) -> String {
    s.readiness
        .iter()
        .map(|g| format!("{}/{} {}", g.kind, g.name, g.gate.describe()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn waits_text(s: &celestra_core::plan::Step) -> String {
    if s.waits_for.is_empty() {
        return "-".into();
    }
    s.waits_for
        .iter()
        .map(|w| match &w.reason {
            WaitReason::Connection {
                connection_id,
                meaning,
                ..
            } => format!("{} (via {connection_id}: {meaning})", w.name),
            WaitReason::Group => format!("{} (group)", w.name),
            WaitReason::Attached { attached_name, .. } => {
                format!("{} (for attached {attached_name})", w.name)
            }
            WaitReason::Reference { property } => format!("{} (ref {property})", w.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_plan_table(p: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let mode = serde_json::to_value(p.mode)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    writeln!(
        out,
        "plan: {mode}, {} waves, {} steps",
        p.waves.len(),
        p.total_steps
    )?;
    let mut rows: Vec<[String; 5]> = vec![[
        "WAVE".into(),
        "STEP".into(),
        "TYPE".into(),
        "READY WHEN".into(),
        "WAITS FOR".into(),
    ]];
    for w in &p.waves {
        let wave = match w.phase {
            Some(ph) => format!("{} (phase {ph})", w.index),
            None => w.index.to_string(),
        };
        for (k, s) in w.steps.iter().enumerate() {
            let name = if s.critical {
                format!("{} *", s.name)
            } else {
                s.name.clone()
            };
            rows.push([
                if k == 0 { wave.clone() } else { String::new() },
                name,
                s.node_type.short().to_owned(),
                gate_text(s),
                waits_text(s),
            ]);
            for a in &s.attached {
                rows.push([
                    String::new(),
                    format!("  + {}", a.name),
                    a.node_type.short().to_owned(),
                    "applied with the step".into(),
                    String::new(),
                ]);
            }
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::new();
        for c in 0..4 {
            line.push_str(&r[c]);
            line.push_str(&" ".repeat(widths[c] - r[c].chars().count() + 2));
        }
        line.push_str(&r[4]);
        writeln!(out, "{}", line.trim_end())?;
    }
    if p.steps().any(|s| s.critical) {
        writeln!(out, "* critical path (double connection)")?;
    }
    Ok(())
}

fn mermaid_label(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn print_mermaid(p: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let mut ids = std::collections::BTreeMap::new();
    for (k, s) in p.steps().enumerate() {
        ids.insert(s.node_id.clone(), format!("s{k}"));
        for a in &s.attached {
            ids.insert(a.node_id.clone(), format!("s{k}"));
        }
    }
    writeln!(out, "flowchart LR")?;
    for w in &p.waves {
        let title = match w.phase {
            Some(ph) => format!("wave {} · phase {ph}", w.index),
            None => format!("wave {}", w.index),
        };
        writeln!(
            out,
            "  subgraph w{}[\"{}\"]",
            w.index,
            mermaid_label(&title)
        )?;
        for s in &w.steps {
            let mut label = format!("{}<br/>{}", mermaid_label(&s.name), s.node_type.short());
            for a in &s.attached {
                label.push_str(&format!("<br/>+ {}", mermaid_label(&a.name)));
            }
            writeln!(out, "    {}[\"{label}\"]", ids[&s.node_id])?;
        }
        writeln!(out, "  end")?;
    }
    for s in p.steps() {
        for wt in &s.waits_for {
            let Some(from) = ids.get(&wt.node_id) else {
                continue;
            };
            let arrow = match &wt.reason {
                WaitReason::Connection {
                    style: celestra_core::model::Style::Double,
                    ..
                } => "==>",
                WaitReason::Connection { .. } => "-->",
                _ => "-.->",
            };
            writeln!(out, "  {from} {arrow} {}", ids[&s.node_id])?;
        }
    }
    Ok(())
}

/// `celestra health`: one row (or JSON object) per object, in input order.
fn health(file: &str, gate: bool, format: HealthFormat) -> Result<ExitCode, String> {
    let text = read_input(file)?;
    let objects = api::read_objects(&text).map_err(|e| format!("{}: {e}", display_name(file)))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let field = |o: &serde_json::Value, path: &str| {
        o.pointer(path)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let mut all_ok = true;
    let mut rows = Vec::new();
    for o in &objects {
        let (status, reason, message) = if gate {
            let g = api::object_gate(o, now);
            all_ok &= g.verdict == celestra_core::deploy::health::Verdict::Ready;
            (g.verdict.as_str().to_owned(), g.reason, g.message)
        } else {
            let h = api::object_health(o, now);
            all_ok &= h.status == celestra_core::deploy::health::Health::Current;
            (h.status.as_str().to_owned(), h.reason, h.message)
        };
        rows.push([
            field(o, "/apiVersion"),
            field(o, "/kind"),
            field(o, "/metadata/namespace"),
            field(o, "/metadata/name"),
            status,
            reason,
            message,
        ]);
    }
    let mut out = stdout();
    match format {
        HealthFormat::Json => {
            let key = if gate { "verdict" } else { "status" };
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "apiVersion": r[0], "kind": r[1], "namespace": r[2], "name": r[3],
                        key: r[4], "reason": r[5], "message": r[6],
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
            writeln!(out, "{text}").map_err(|e| e.to_string())?;
        }
        HealthFormat::Text => {
            let head = [
                "APIVERSION",
                "KIND",
                "NAMESPACE",
                "NAME",
                if gate { "VERDICT" } else { "STATUS" },
                "REASON",
                "MESSAGE",
            ];
            let mut width = head.map(str::len);
            for r in &rows {
                for (w, c) in width.iter_mut().zip(r.iter()).take(6) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: [&str; 7]| {
                let mut l = String::new();
                for (k, c) in cells.iter().enumerate() {
                    if k < 6 {
                        l.push_str(&format!("{c:<w$}  ", w = width[k]));
                    } else {
                        l.push_str(c);
                    }
                }
                l.trim_end().to_owned()
            };
            writeln!(out, "{}", line(head)).map_err(|e| e.to_string())?;
            for r in &rows {
                let cells = [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]].map(|s| s.as_str());
                writeln!(out, "{}", line(cells)).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
