use super::super::ast::*;
use super::super::mapped::MappedText;
use super::*;

// ---------------------------------------------------------------- helpers

fn at(src: &str, r: &Range<usize>) -> String {
    match src.get(r.clone()) {
        Some(s) => s.to_string(),
        None => panic!("bad span {r:?} in a source of {} bytes", src.len()),
    }
}

/// 1-based line number of a byte offset.
fn line(src: &str, off: usize) -> usize {
    src.as_bytes()
        .iter()
        .take(off)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn ok_span(src: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end
            && r.end <= src.len()
            && src.is_char_boundary(r.start)
            && src.is_char_boundary(r.end),
        "{what}: bad span {r:?} (len {})",
        src.len()
    );
}

fn ok_mapped(src: &str, m: &MappedText, what: &str) {
    if let Err(e) = m.verify(src) {
        panic!("{what}: {e}");
    }
    ok_span(src, &m.source_span(), what);
    for (i, c) in m.text.char_indices() {
        ok_span(src, &m.to_source(i..i + c.len_utf8()), what);
    }
}

fn ok_words(src: &str, ws: &[Word]) {
    for w in ws {
        ok_span(src, &w.span, "word");
    }
}

fn ok_form(src: &str, f: &CommandForm) {
    match f {
        CommandForm::Exec(w) => ok_words(src, w),
        CommandForm::Shell(m) => ok_mapped(src, m, "shell form"),
    }
}

/// Every span of the model is in bounds and on char boundaries.
fn check(src: &str, df: &Dockerfile) {
    for d in &df.directives {
        ok_span(src, &d.span, "directive");
        ok_span(src, &d.value_span, "directive value");
    }
    for e in &df.errors {
        ok_span(src, &e.span, "error");
    }
    for s in &df.stages {
        ok_span(src, &s.from_span, "stage");
    }
    for ins in &df.instructions {
        ok_span(src, &ins.span, "instruction");
        ok_span(src, &ins.keyword_span, "keyword");
        assert!(ins.span.start <= ins.keyword_span.start && ins.keyword_span.end <= ins.span.end);
        ok_mapped(src, &ins.args, "args");
        for f in &ins.flags {
            ok_span(src, &f.span, "flag");
            if let Some(v) = &f.value_span {
                ok_span(src, v, "flag value");
            }
        }
        match &ins.kind {
            Kind::Env(kv) | Kind::Label(kv) => {
                for p in kv {
                    ok_span(src, &p.key_span, "key");
                    ok_span(src, &p.value_span, "value");
                }
            }
            Kind::Arg(a) => {
                for d in a {
                    ok_span(src, &d.name_span, "arg");
                    if let Some((_, r)) = &d.default {
                        ok_span(src, r, "arg default");
                    }
                }
            }
            Kind::Run(r) => {
                for m in &r.mounts {
                    ok_span(src, &m.span, "mount");
                    for o in &m.options {
                        ok_span(src, &o.span, "mount option");
                    }
                }
                ok_form(src, &r.command);
            }
            Kind::Copy(c) | Kind::Add(c) => {
                ok_words(src, &c.sources);
                ok_words(src, c.dest.as_slice());
            }
            Kind::Cmd(f) | Kind::Entrypoint(f) | Kind::Healthcheck(Some(f)) => ok_form(src, f),
            Kind::Shell(w) => ok_words(src, w),
            _ => {}
        }
        for h in ins.heredocs() {
            ok_span(src, &h.body_span, "heredoc body");
            ok_span(src, &h.marker_span, "heredoc marker");
            ok_mapped(src, &h.body, "heredoc body text");
        }
    }
}

fn parsed(src: &str) -> Dockerfile {
    let df = parse(src);
    check(src, &df);
    df
}

fn kws(df: &Dockerfile) -> Vec<&str> {
    df.instructions.iter().map(|i| i.keyword.as_str()).collect()
}

fn env(ins: &Instruction) -> &[KeyValue] {
    match &ins.kind {
        Kind::Env(kv) | Kind::Label(kv) => kv,
        k => panic!("not ENV/LABEL: {k:?}"),
    }
}

fn run(ins: &Instruction) -> &Run {
    match &ins.kind {
        Kind::Run(r) => r,
        k => panic!("not RUN: {k:?}"),
    }
}

fn copy(ins: &Instruction) -> &Copy {
    match &ins.kind {
        Kind::Copy(c) | Kind::Add(c) => c,
        k => panic!("not COPY/ADD: {k:?}"),
    }
}

fn shell_text(f: &CommandForm) -> &str {
    match f {
        CommandForm::Shell(m) => m.as_str(),
        CommandForm::Exec(w) => panic!("exec form {w:?}"),
    }
}

fn exec_values(f: &CommandForm) -> Vec<&str> {
    match f {
        CommandForm::Exec(w) => w.iter().map(|w| w.value.as_str()).collect(),
        CommandForm::Shell(m) => panic!("shell form {:?}", m.text),
    }
}

// ---------------------------------------------------------------- directives

#[test]
fn directives_syntax_and_escape() {
    let src = "# syntax=docker/dockerfile:1.7\n#  ESCAPE = `\n\nFROM mcr.microsoft.com/windows/servercore\n";
    let df = parsed(src);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.directives[0].name, "syntax");
    assert_eq!(df.directives[0].value, "docker/dockerfile:1.7");
    assert_eq!(at(src, &df.directives[1].value_span), "`");
    assert_eq!(kws(&df), ["FROM"]);
    assert!(df.errors.is_empty());
}

#[test]
fn directives_stop_at_first_non_directive() {
    // After a comment, `# escape=` is just a comment.
    let src = "# a comment\n# escape=`\nFROM x\nRUN a \\\n b\n";
    let df = parsed(src);
    assert_eq!(df.escape, '\\');
    assert!(df.directives.is_empty());
    assert_eq!(shell_text(&run(&df.instructions[1]).command), "a  b");
    // After a blank line too.
    let df = parsed("\n# escape=`\nFROM x\n");
    assert_eq!(df.escape, '\\');
    // After an instruction too.
    let df = parsed("FROM x\n# escape=`\n");
    assert_eq!(df.escape, '\\');
    // Backslash explicitly; escape directive after syntax, with a BOM.
    let src = "\u{feff}# syntax=docker/dockerfile:1\n# escape=\\\nFROM x\n";
    let df = parsed(src);
    assert_eq!(df.escape, '\\');
    assert_eq!(df.directives.len(), 2);
    assert_eq!(at(src, &df.instructions[0].keyword_span), "FROM");
}

#[test]
fn directive_errors() {
    let df = parsed("# escape=x\nFROM a\n");
    assert_eq!(df.escape, '\\');
    assert_eq!(df.errors.len(), 1);
    let df = parsed("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(df.escape, '`');
    assert_eq!(df.errors.len(), 1);
}

// ---------------------------------------------------------------- Windows

#[test]
fn windows_backtick_escape_with_backslash_paths() {
    let src = "# escape=`\r\n\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nENV APP_HOME=C:\\app `\r\n    TOOLS=\"C:\\tools\\bin\"\r\nCOPY app\\ C:\\app\\\r\nRUN powershell -Command `\r\n    New-Item -Path C:\\data ; `\r\n    Write-Host done\r\nWORKDIR C:\\app\r\n";
    let df = parsed(src);
    assert_eq!(df.escape, '`');
    assert_eq!(kws(&df), ["FROM", "ENV", "COPY", "RUN", "WORKDIR"]);
    let kv = env(&df.instructions[1]);
    assert_eq!(kv.len(), 2);
    assert_eq!(kv[0].key, "APP_HOME");
    assert_eq!(kv[0].value, "C:\\app");
    assert_eq!(at(src, &kv[0].value_span), "C:\\app");
    assert_eq!(kv[1].key, "TOOLS");
    assert_eq!(kv[1].value, "C:\\tools\\bin");
    assert_eq!(at(src, &kv[1].value_span), "\"C:\\tools\\bin\"");
    assert_eq!(line(src, kv[1].key_span.start), 5);
    // `C:\app\` at the end of a line is not a continuation with a backtick escape.
    let c = copy(&df.instructions[2]);
    assert_eq!(c.sources[0].value, "app\\");
    assert_eq!(c.dest.as_ref().map(|d| d.value.as_str()), Some("C:\\app\\"));
    assert_eq!(line(src, df.instructions[2].span.end), 6);
    let r = run(&df.instructions[3]);
    assert_eq!(
        shell_text(&r.command),
        "powershell -Command     New-Item -Path C:\\data ;     Write-Host done"
    );
    assert_eq!(line(src, df.instructions[3].span.end), 9);
    assert_eq!(at(src, &df.instructions[4].span), "WORKDIR C:\\app");
}

// ---------------------------------------------------------------- continuations

#[test]
fn continuation_with_comments_and_empty_lines() {
    let src = "FROM debian\nRUN apt-get update && \\\n    # install tools\n    apt-get install -y \\  \n\n      curl \\\n  # trailing comment\n      git\nCMD [\"bash\"]\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["FROM", "RUN", "CMD"]);
    let ins = &df.instructions[1];
    assert_eq!(
        shell_text(&run(ins).command),
        "apt-get update &&     apt-get install -y       curl       git"
    );
    assert_eq!(line(src, ins.span.start), 2);
    assert_eq!(line(src, ins.span.end), 8);
    assert!(at(src, &ins.span).ends_with("      git"));
    // "curl" maps to line 6.
    let m = &ins.args;
    let p = m.text.find("curl").unwrap_or(0);
    let r = m.to_source(p..p + 4);
    assert_eq!(at(src, &r), "curl");
    assert_eq!(line(src, r.start), 6);
}

#[test]
fn comments_blank_lines_and_case_insensitive_keywords() {
    let src = "# header comment\n\n  # indented comment\nfrom alpine:3.20 as Base\n\trun echo hi\nRun echo \"# not a comment\"\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["FROM", "RUN", "RUN"]);
    assert_eq!(at(src, &df.instructions[0].keyword_span), "from");
    assert_eq!(at(src, &df.instructions[1].span), "run echo hi");
    assert_eq!(df.stages[0].name.as_deref(), Some("Base"));
    assert_eq!(
        shell_text(&run(&df.instructions[2]).command),
        "echo \"# not a comment\""
    );
}

#[test]
fn keyword_split_by_continuation() {
    let src = "RUN \\\n  echo a\n";
    let df = parsed(src);
    assert_eq!(at(src, &df.instructions[0].span), "RUN \\\n  echo a");
    assert_eq!(df.instructions[0].args.as_str(), "echo a");
}

// ---------------------------------------------------------------- heredocs

#[test]
fn heredoc_basic_and_not_instructions() {
    let src = "FROM alpine\nRUN <<EOF\nset -eux\nFROM evil\nENV X=1\nEOF\nENV DONE=1\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["FROM", "RUN", "ENV"]);
    let ins = &df.instructions[1];
    let h = &run(ins).heredocs[0];
    assert_eq!(h.delimiter, "EOF");
    assert!(!h.strip_tabs && !h.quoted && h.terminated);
    assert_eq!(h.body.as_str(), "set -eux\nFROM evil\nENV X=1\n");
    assert_eq!(at(src, &h.body_span), "set -eux\nFROM evil\nENV X=1\n");
    assert_eq!(at(src, &h.marker_span), "<<EOF");
    assert_eq!(
        at(src, &ins.span),
        "RUN <<EOF\nset -eux\nFROM evil\nENV X=1\nEOF"
    );
    let p = h.body.text.find("X=1").unwrap_or(0);
    let r = h.body.to_source(p..p + 3);
    assert_eq!((at(src, &r), line(src, r.start)), ("X=1".to_string(), 5));
    assert_eq!(shell_text(&run(ins).command), "<<EOF");
    assert!(df.errors.is_empty());
}

#[test]
fn heredoc_strip_tabs_and_quoted() {
    let src = "RUN <<-EOT bash\n\tif true; then\n\t\techo \"$HOME\"\n\tfi\n\tEOT\nRUN cat <<'END' > /x\n\t$NOT_EXPANDED\nEND\nRUN <<\"Q\"\nq\nQ\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["RUN", "RUN", "RUN"]);
    let h = &run(&df.instructions[0]).heredocs[0];
    assert!(h.strip_tabs && !h.quoted);
    assert_eq!(h.delimiter, "EOT");
    assert_eq!(h.body.as_str(), "if true; then\necho \"$HOME\"\nfi\n");
    let p = h.body.text.find("echo").unwrap_or(0);
    assert_eq!(at(src, &h.body.to_source(p..p + 4)), "echo");
    assert_eq!(line(src, h.body.to_source(p..p + 4).start), 3);
    let h = &run(&df.instructions[1]).heredocs[0];
    assert!(h.quoted && !h.strip_tabs);
    assert_eq!(h.delimiter, "END");
    assert_eq!(h.body.as_str(), "\t$NOT_EXPANDED\n");
    let h = &run(&df.instructions[2]).heredocs[0];
    assert!(h.quoted);
    assert_eq!(h.body.as_str(), "q\n");
}

#[test]
fn several_heredocs_per_line() {
    let src = "RUN <<A bash && <<-B sh\necho a\nA\n\techo b\n\tB\nRUN echo after\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["RUN", "RUN"]);
    let hs = &run(&df.instructions[0]).heredocs;
    assert_eq!(hs.len(), 2);
    assert_eq!(hs[0].body.as_str(), "echo a\n");
    assert_eq!(hs[1].body.as_str(), "echo b\n");
    assert_eq!(line(src, hs[1].body_span.start), 4);
    assert_eq!(at(src, &hs[1].marker_span), "<<-B");
    assert_eq!(line(src, df.instructions[0].span.end), 5);
}

#[test]
fn copy_heredoc_with_dest_and_python() {
    let src = "COPY --chmod=600 <<EOF /etc/app/conf.ini\n[db]\npassword = fake-not-real\nEOF\nRUN python3 <<EOF\nprint('hi')\nEOF\n";
    let df = parsed(src);
    let c = copy(&df.instructions[0]);
    assert!(c.sources.is_empty());
    assert_eq!(
        c.dest.as_ref().map(|d| at(src, &d.span)),
        Some("/etc/app/conf.ini".into())
    );
    assert_eq!(c.heredocs[0].dest.as_deref(), Some("/etc/app/conf.ini"));
    assert_eq!(
        c.heredocs[0].body.as_str(),
        "[db]\npassword = fake-not-real\n"
    );
    assert_eq!(df.instructions[0].flags[0].name, "chmod");
    let r = run(&df.instructions[1]);
    assert_eq!(r.heredocs[0].body.as_str(), "print('hi')\n");
    assert_eq!(shell_text(&r.command), "python3 <<EOF");
}

#[test]
fn unterminated_heredoc_runs_to_eof() {
    let src = "FROM a\nRUN <<EOF\necho one\nRUN echo two\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["FROM", "RUN"]);
    let h = &run(&df.instructions[1]).heredocs[0];
    assert!(!h.terminated);
    assert_eq!(h.body.as_str(), "echo one\nRUN echo two\n");
    assert_eq!(h.body_span.end, src.len());
    assert_eq!(df.errors.len(), 1);
    assert!(df.errors[0].message.contains("unterminated heredoc"));
    assert_eq!(df.instructions[1].span.end, src.len() - 1);
    // Heredoc on the last line, no body at all.
    let src = "RUN cat <<EOF";
    let df = parsed(src);
    assert_eq!(df.errors.len(), 1);
    assert_eq!(at(src, &df.instructions[0].span), src);
}

#[test]
fn heredoc_only_in_run_copy_add_and_not_quoted() {
    let src =
        "ENV A=<<EOF\nFROM x\nRUN echo \"<<EOF\"\nLABEL b=c\nRUN [\"cat\", \"<<EOF\"]\nCMD done\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["ENV", "FROM", "RUN", "LABEL", "RUN", "CMD"]);
    assert!(df.instructions.iter().all(|i| i.heredocs().is_empty()));
}

#[test]
fn heredoc_crlf_and_continued_marker_line() {
    let src = "RUN \\\r\n  cat <<EOF > /tmp/f\r\nline é\r\nEOF\r\nRUN x\r\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["RUN", "RUN"]);
    let h = &run(&df.instructions[0]).heredocs[0];
    assert_eq!(h.body.as_str(), "line é\n");
    assert_eq!(at(src, &h.body_span), "line é\r\n");
    // The normalised "\n" is synthetic: it maps to the point before "\r\n".
    assert_eq!(at(src, &h.body.to_source(0..h.body.len())), "line é");
    assert_eq!(
        at(src, &df.instructions[0].span),
        "RUN \\\r\n  cat <<EOF > /tmp/f\r\nline é\r\nEOF"
    );
}

// ---------------------------------------------------------------- exec / shell forms

#[test]
fn exec_and_shell_forms() {
    let src = "CMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT [\"/bin/sh\", \"-c\"\\\n  , \"exec app\"]\nCMD [not json]\nRUN [\"apk\", \"add\", \"curl\"]\nSHELL [\"powershell\", \"-Command\"]\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK NONE\nCMD [\"C:\\\\app\\\\run.exe\"]\n";
    let df = parsed(src);
    let ins = &df.instructions;
    let Kind::Cmd(f) = &ins[0].kind else { panic!() };
    assert_eq!(exec_values(f), ["nginx", "-g", "daemon off;"]);
    let CommandForm::Exec(w) = f else { panic!() };
    assert_eq!(at(src, &w[2].span), "\"daemon off;\"");
    let Kind::Entrypoint(f) = &ins[1].kind else {
        panic!()
    };
    assert_eq!(exec_values(f), ["/bin/sh", "-c", "exec app"]);
    let CommandForm::Exec(w) = f else { panic!() };
    assert_eq!(line(src, w[2].span.start), 3);
    let Kind::Cmd(f) = &ins[2].kind else { panic!() };
    assert_eq!(shell_text(f), "[not json]");
    assert_eq!(exec_values(&run(&ins[3]).command), ["apk", "add", "curl"]);
    let Kind::Shell(w) = &ins[4].kind else {
        panic!()
    };
    assert_eq!(w.len(), 2);
    let Kind::Healthcheck(Some(f)) = &ins[5].kind else {
        panic!()
    };
    assert_eq!(shell_text(f), "curl -f http://localhost/ || exit 1");
    assert_eq!(ins[5].flags[0].name, "interval");
    assert_eq!(ins[5].flags[0].value.as_deref(), Some("30s"));
    assert!(matches!(ins[6].kind, Kind::Healthcheck(None)));
    let Kind::Cmd(f) = &ins[7].kind else { panic!() };
    assert_eq!(exec_values(f), ["C:\\app\\run.exe"]);
}

// ---------------------------------------------------------------- ENV / LABEL / ARG

#[test]
fn env_forms() {
    let src = "ENV A=1 B=\"two words\" C='single $X' D=a\\ b E=\"say \\\"hi\\\"\" F=\nENV LEGACY some value with spaces\nENV Q \"quoted legacy\"\n";
    let df = parsed(src);
    let kv = env(&df.instructions[0]);
    let got: Vec<(&str, &str, String)> = kv
        .iter()
        .map(|p| (p.key.as_str(), p.value.as_str(), at(src, &p.value_span)))
        .collect();
    assert_eq!(
        got,
        [
            ("A", "1", "1".to_string()),
            ("B", "two words", "\"two words\"".to_string()),
            ("C", "single $X", "'single $X'".to_string()),
            ("D", "a b", "a\\ b".to_string()),
            ("E", "say \"hi\"", "\"say \\\"hi\\\"\"".to_string()),
            ("F", "", String::new()),
        ]
    );
    assert!(
        kv.iter()
            .all(|p| !p.legacy && at(src, &p.key_span) == p.key)
    );
    assert_eq!(kv[5].value_span.start, kv[5].key_span.end + 1);
    let kv = env(&df.instructions[1]);
    assert_eq!(kv.len(), 1);
    assert!(kv[0].legacy);
    assert_eq!(kv[0].key, "LEGACY");
    assert_eq!(kv[0].value, "some value with spaces");
    assert_eq!(at(src, &kv[0].value_span), "some value with spaces");
    let kv = env(&df.instructions[2]);
    assert_eq!(kv[0].value, "quoted legacy");
    assert!(df.errors.is_empty());
}

#[test]
fn multi_line_env_second_pair_on_line_two() {
    let src = "FROM node:20\nENV NODE_ENV=production \\\n    API_TOKEN=\"fake-token-for-tests\" \\\n    # comment line\n    PORT=8080\n";
    let df = parsed(src);
    let kv = env(&df.instructions[1]);
    assert_eq!(kv.len(), 3);
    assert_eq!(line(src, kv[0].key_span.start), 2);
    assert_eq!(kv[1].key, "API_TOKEN");
    assert_eq!(at(src, &kv[1].key_span), "API_TOKEN");
    assert_eq!(line(src, kv[1].key_span.start), 3);
    assert_eq!(line(src, kv[1].value_span.start), 3);
    assert_eq!(at(src, &kv[1].value_span), "\"fake-token-for-tests\"");
    assert_eq!(kv[1].value, "fake-token-for-tests");
    assert_eq!(at(src, &kv[2].value_span), "8080");
    assert_eq!(line(src, kv[2].value_span.start), 5);
    assert_eq!(df.instructions[1].stage, Some(0));
}

#[test]
fn env_errors_do_not_stop_parsing() {
    let src = "ENV E= \\\n  F=1\n";
    let df = parsed(src);
    let kv = env(&df.instructions[0]);
    assert_eq!(
        (kv[0].value.as_str(), line(src, kv[0].value_span.start)),
        ("", 1)
    );
    assert_eq!(kv[0].value_span.start, 6);
    let src = "ENV A=\"unterminated\nENV\nENV K\nENV A=1 B\nRUN ok\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["ENV", "ENV", "ENV", "ENV", "RUN"]);
    assert_eq!(df.errors.len(), 4);
    assert_eq!(env(&df.instructions[3]).len(), 1);
}

#[test]
fn label_pairs() {
    let src = "LABEL org.opencontainers.image.title=\"My app\" \\\n      maintainer=\"dev@example.com\"\n";
    let df = parsed(src);
    let kv = env(&df.instructions[0]);
    assert_eq!(kv[0].key, "org.opencontainers.image.title");
    assert_eq!(kv[1].value, "dev@example.com");
    assert_eq!(line(src, kv[1].value_span.start), 2);
}

#[test]
fn arg_forms() {
    let src = "ARG VERSION\nFROM alpine:${VERSION}\nARG A=1 B\nARG PASSWORD=\"x y\" EMPTY= Z='q'\n";
    let df = parsed(src);
    let Kind::Arg(a) = &df.instructions[0].kind else {
        panic!()
    };
    assert_eq!(a[0].name, "VERSION");
    assert_eq!(a[0].default, None);
    assert_eq!(df.instructions[0].stage, None);
    let Kind::Arg(a) = &df.instructions[2].kind else {
        panic!()
    };
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].default.as_ref().map(|d| d.0.as_str()), Some("1"));
    assert_eq!(at(src, &a[1].name_span), "B");
    let Kind::Arg(a) = &df.instructions[3].kind else {
        panic!()
    };
    let (v, r) = a[0].default.clone().unwrap_or_default();
    assert_eq!((v.as_str(), at(src, &r)), ("x y", "\"x y\"".to_string()));
    assert_eq!(at(src, &a[0].name_span), "PASSWORD");
    assert_eq!(a[1].default.as_ref().map(|d| d.0.as_str()), Some(""));
    assert_eq!(a[2].default.as_ref().map(|d| d.0.as_str()), Some("q"));
    assert_eq!(df.instructions[3].stage, Some(0));
}

// ---------------------------------------------------------------- RUN flags and mounts

#[test]
fn run_secret_mount_and_network() {
    let src = "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc,required=true --network=none npm ci\n";
    let df = parsed(src);
    let ins = &df.instructions[0];
    let r = run(ins);
    assert_eq!(r.network.as_deref(), Some("none"));
    assert_eq!(shell_text(&r.command), "npm ci");
    assert_eq!(r.mounts.len(), 1);
    let m = &r.mounts[0];
    assert_eq!(m.mount_type(), "secret");
    assert_eq!(m.value("id"), Some("npmrc"));
    assert_eq!(
        m.target().and_then(|o| o.value.as_deref()),
        Some("/root/.npmrc")
    );
    assert_eq!(m.value("required"), Some("true"));
    assert_eq!(
        at(src, &m.span),
        "--mount=type=secret,id=npmrc,target=/root/.npmrc,required=true"
    );
    let keys: Vec<&str> = m.options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["type", "id", "target", "required"]);
    assert_eq!(at(src, &m.options[2].span), "target=/root/.npmrc");
    assert_eq!(ins.flags.len(), 2);
    assert_eq!(
        at(src, ins.flags[1].value_span.as_ref().unwrap_or(&(0..0))),
        "none"
    );
}

#[test]
fn run_several_mounts() {
    let src = "RUN --mount=type=cache,target=/root/.cache \\\n    --mount=id=pip,type=secret,dst=/run/secrets/pip,env=PIP_TOKEN \\\n    --mount=type=bind,src=.,source=./x,destination=/src,readonly \\\n    --mount=target=/app \\\n    pip install -r requirements.txt\n";
    let df = parsed(src);
    let r = run(&df.instructions[0]);
    assert_eq!(r.mounts.len(), 4);
    assert_eq!(r.mounts[0].mount_type(), "cache");
    let m = &r.mounts[1];
    assert_eq!(m.mount_type(), "secret");
    assert_eq!(m.options[0].key, "id");
    assert_eq!(m.value("env"), Some("PIP_TOKEN"));
    assert_eq!(
        m.target().and_then(|o| o.value.as_deref()),
        Some("/run/secrets/pip")
    );
    assert_eq!(m.secret_id(), Some("pip"));
    assert_eq!(line(src, m.span.start), 2);
    let m = &r.mounts[2];
    assert_eq!(m.source().and_then(|o| o.value.as_deref()), Some("."));
    assert_eq!(m.get("readonly").map(|o| o.value.is_none()), Some(true));
    assert_eq!(at(src, &m.options[4].span), "readonly");
    assert_eq!(r.mounts[3].mount_type(), "bind");
    assert_eq!(shell_text(&r.command), "pip install -r requirements.txt");
    assert_eq!(line(src, df.instructions[0].args.source_span().start), 5);
}

#[test]
fn mount_csv_quoting_and_secret_id_default() {
    let src = "RUN --mount=type=secret,\"target=/a,b\",mode=0400 --mount=type=secret,target=/run/secrets/db_pass cat /a,b\n";
    let df = parsed(src);
    let r = run(&df.instructions[0]);
    let m = &r.mounts[0];
    assert_eq!(m.options.len(), 3);
    assert_eq!(m.value("target"), Some("/a,b"));
    assert_eq!(at(src, &m.options[1].span), "\"target=/a,b\"");
    assert_eq!(m.secret_id(), Some("a,b"));
    assert_eq!(r.mounts[1].secret_id(), Some("db_pass"));
}

#[test]
fn secret_id_prefers_source_like_buildkit() {
    let src = "RUN --mount=type=secret,src=npm_token,target=/root/.npmrc npm ci\n";
    let df = parsed(src);
    assert_eq!(
        run(&df.instructions[0]).mounts[0].secret_id(),
        Some("npm_token")
    );
}

// ---------------------------------------------------------------- COPY / FROM / stages

#[test]
fn copy_and_add() {
    let src = "FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=build --chown=1000:1000 /out/app \"/usr/local/bin/my app\"\nADD --link https://example.com/a.tgz b.txt /opt/\nCOPY [\"a b.txt\", \"/dst/\"]\nCOPY .env\n";
    let df = parsed(src);
    let c = copy(&df.instructions[2]);
    assert_eq!(c.from.as_deref(), Some("build"));
    assert_eq!(c.sources.len(), 1);
    assert_eq!(at(src, &c.sources[0].span), "/out/app");
    let d = c.dest.clone().unwrap_or(Word {
        value: String::new(),
        span: 0..0,
    });
    assert_eq!(d.value, "/usr/local/bin/my app");
    assert_eq!(at(src, &d.span), "\"/usr/local/bin/my app\"");
    let ins = &df.instructions[3];
    assert!(matches!(ins.kind, Kind::Add(_)));
    assert_eq!(ins.flags[0].name, "link");
    assert_eq!(ins.flags[0].value, None);
    assert_eq!(copy(ins).sources.len(), 2);
    let c = copy(&df.instructions[4]);
    assert_eq!(c.sources[0].value, "a b.txt");
    assert_eq!(c.dest.as_ref().map(|d| d.value.as_str()), Some("/dst/"));
    let c = copy(&df.instructions[5]);
    assert_eq!(c.sources[0].value, ".env");
    assert!(c.dest.is_none());
    assert_eq!(df.errors.len(), 1);
}

#[test]
fn stages() {
    let src = "ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS builder\nRUN go build\nFROM ${BASE}\nCOPY --from=builder /app /app\nfrom builder as test\n";
    let df = parsed(src);
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[0].name.as_deref(), Some("builder"));
    assert_eq!(df.stages[0].base, "golang:1.22");
    assert_eq!(
        at(src, &df.stages[0].from_span),
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS builder"
    );
    assert_eq!(df.stages[1].name, None);
    assert_eq!(df.stages[1].base, "${BASE}");
    assert_eq!(df.stages[2].index, 2);
    let st: Vec<Option<usize>> = df.instructions.iter().map(|i| i.stage).collect();
    assert_eq!(st, [None, Some(0), Some(0), Some(1), Some(1), Some(2)]);
    assert_eq!(df.stage_by_name("BUILDER").map(|s| s.index), Some(0));
    assert_eq!(df.stage_instructions(1).count(), 2);
    assert_eq!(
        df.instructions[1]
            .flag("platform")
            .and_then(|f| f.value.as_deref()),
        Some("$BUILDPLATFORM")
    );
}

// ---------------------------------------------------------------- encodings

#[test]
fn crlf_bom_tabs_non_ascii() {
    let src = "\u{feff}FROM alpine\r\nLABEL description=\"café ☕ naïve\"\r\n\tENV GRÜSSE=\"grüß dich\" \\\r\n\t  ZWEI=2\r\nRUN echo 日本語\r\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["FROM", "LABEL", "ENV", "RUN"]);
    assert_eq!(at(src, &df.instructions[0].keyword_span), "FROM");
    assert_eq!(at(src, &df.instructions[0].span), "FROM alpine");
    assert_eq!(env(&df.instructions[1])[0].value, "café ☕ naïve");
    let kv = env(&df.instructions[2]);
    assert_eq!(at(src, &kv[0].key_span), "GRÜSSE");
    assert_eq!(at(src, &kv[0].value_span), "\"grüß dich\"");
    assert_eq!(at(src, &kv[1].value_span), "2");
    assert_eq!(line(src, kv[1].value_span.start), 4);
    assert_eq!(at(src, &df.instructions[3].span), "RUN echo 日本語");
}

// ---------------------------------------------------------------- hostile input

#[test]
fn only_continuations_and_odd_lines() {
    for src in [
        "\\\n\\\n\\\n",
        "\\",
        "\\\n",
        "   \\   \n\n# c\n\\",
        "RUN \\",
        "RUN \\\n# only comment\n",
        "\r\n\r",
        "#",
        "# escape=`\n`\n`",
        "--mount",
        "RUN --",
        "RUN --mount",
        "RUN --mount= x",
        "RUN --mount=\"",
        "ENV =",
        "ENV \"",
        "COPY <<",
        "COPY <<\"",
        "\u{feff}",
        "\u{feff}\\",
        "RUN <<EOF <<EOF\nEOF\n",
        "HEALTHCHECK",
        "SHELL [",
        "FROM",
        "FROM a AS",
    ] {
        let _ = parsed(src);
    }
    let df = parsed("\\\n\\\n\\\n");
    assert!(df.instructions.is_empty());
}

#[test]
fn ten_thousand_continuations_and_heredocs_parse() {
    let mut src = String::from("FROM x\nRUN echo start");
    for i in 0..10_000 {
        src.push_str(&format!(" \\\n  && echo {i}"));
    }
    src.push('\n');
    let df = parsed(&src);
    assert_eq!(kws(&df), ["FROM", "RUN"]);
    assert_eq!(line(&src, df.instructions[1].span.end), 10_002);

    let mut env_src = String::from("ENV");
    for i in 0..10_000 {
        env_src.push_str(&format!(" \\\n K{i}=v{i}"));
    }
    let df = parsed(&env_src);
    let kv = env(&df.instructions[0]);
    assert_eq!(kv.len(), 10_000);
    assert_eq!(line(&env_src, kv[9_999].key_span.start), 10_001);

    let only = "\\\n".repeat(10_000);
    let _ = parsed(&only);
    let heredocs = format!("RUN {}\n", "<<E ".repeat(5_000)) + &"x\nE\n".repeat(5_000);
    let df = parsed(&heredocs);
    assert_eq!(df.instructions[0].heredocs().len(), 5_000);
    let brackets = format!("CMD {}", "[".repeat(100_000));
    let _ = parsed(&brackets);
}

const REALISTIC: &str = "\u{feff}# syntax=docker/dockerfile:1.7\nARG NODE=20\nFROM node:${NODE} AS deps\nWORKDIR /app\nCOPY package*.json ./\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc \\\n    # install\n    npm ci --omit=dev\nENV NODE_ENV=production \\\n    GREETING=\"héllo wörld\" LEGACY_OK=1\nRUN <<-EOF bash\n\tset -e\n\techo \"done\" > /x\n\tEOF\nCOPY <<'CONF' /etc/app.conf\nkey = fake\nCONF\nLABEL a=b\r\nFROM deps AS final\r\nCMD [\"node\", \"server.js\"]\r\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://x/\"]\n";

#[test]
fn truncations_of_realistic_files() {
    for src in [
        REALISTIC,
        "# escape=`\nFROM w\nRUN a `\n  b C:\\x\\ `\n  c\nENV P=\"C:\\p q\" `\n  R=1\n",
    ] {
        let full = parsed(src);
        assert!(full.errors.is_empty(), "{:?}", full.errors);
        for (i, _) in src.char_indices().chain([(src.len(), ' ')]) {
            let _ = parsed(&src[..i]);
            let _ = parsed(&src[i..]);
        }
    }
}

#[test]
fn realistic_file_model() {
    let df = parsed(REALISTIC);
    assert_eq!(
        kws(&df),
        [
            "ARG",
            "FROM",
            "WORKDIR",
            "COPY",
            "RUN",
            "ENV",
            "RUN",
            "COPY",
            "LABEL",
            "FROM",
            "CMD",
            "HEALTHCHECK"
        ]
    );
    assert_eq!(df.stages.len(), 2);
    assert_eq!(env(&df.instructions[5])[1].value, "héllo wörld");
    let Kind::Healthcheck(Some(f)) = &df.instructions[11].kind else {
        panic!()
    };
    assert_eq!(exec_values(f), ["curl", "-f", "http://x/"]);
}

#[test]
fn random_garbage_never_panics() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as u32
    };
    // Bytes biased towards Dockerfile syntax so the interesting paths are reached.
    let alphabet: &[u8] =
        b"\\`\"'<<-= \t\n\r#[],--mountRUNENVCOPYFROMASEOFtype=secret,id\xff\xc3\xa9\x00\xe2\x98";
    for round in 0..3000 {
        let len = (next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if round % 3 == 0 {
                    (r & 0xff) as u8
                } else {
                    alphabet[(r as usize) % alphabet.len()]
                }
            })
            .collect();
        let s = String::from_utf8_lossy(&bytes);
        let _ = parsed(&s);
        let with_kw = format!("RUN {s}\nENV {s}\nCOPY {s}\n# escape=`\n{s}");
        let _ = parsed(&with_kw);
        let escaped = format!("# escape=`\nRUN <<EOF {s}\n{s}\nEOF\n{s}");
        let _ = parsed(&escaped);
    }
}

#[test]
fn heredoc_body_is_raw_text() {
    // Escape characters and comments inside a body are body text, not continuations.
    let src = "RUN <<EOF\necho a \\\n# kept\n\nEOF\nRUN b\n";
    let df = parsed(src);
    assert_eq!(kws(&df), ["RUN", "RUN"]);
    let h = &run(&df.instructions[0]).heredocs[0];
    assert_eq!(h.body.as_str(), "echo a \\\n# kept\n\n");
    assert_eq!(at(src, &df.instructions[1].span), "RUN b");
}
