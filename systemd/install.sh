#!/usr/bin/env bash
# Installs predictord as a systemd service (idempotent: running it again updates the binary and the unit and
# keeps an existing configuration).
#
#   systemd/install.sh [--prefix /usr/local] [--destdir DIR] [--no-build] [--binary PATH] [--scratch-path DIR]
#                      [--manual-tool PATH] [--no-man]
#
#   --prefix P        install the binary to P/bin and the docs to P/share/doc/predictord (default /usr/local)
#   --destdir D       stage everything under D (packaging, tests); the unit still points at P/bin
#   --no-build        do not run `swift build`; use --binary or the existing release build
#   --binary PATH     the predictord executable to install (default: the release build's bin path)
#   --scratch-path S  build directory for `swift build` (default .build)
#   --manual-tool T   swift-argument-parser's generate-manual tool (default: built with its plugin in S)
#   --no-man          do not generate the man page (no Swift toolchain here)
#
# Installs:  $DESTDIR$PREFIX/bin/predictord
#            $DESTDIR$PREFIX/share/bash-completion/completions/predictord, zsh/site-functions/_predictord,
#            fish/vendor_completions.d/predictord.fish  (from `predictord --generate-completion-script`)
#            $DESTDIR$PREFIX/share/man/man1/predictord.1   (from the argument parser, by generate-manual)
#            $DESTDIR/etc/predictord/predictord.yaml          (only if absent: never overwrites your config)
#            $DESTDIR/etc/systemd/system/predictord.service   (ExecStart rewritten to $PREFIX/bin/predictord)
#            $DESTDIR$PREFIX/share/doc/predictord/*.md
#
# Not installed: predictord-bench (benchmarks, relay, soak: development tooling, see docs/performance.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

prefix=/usr/local
destdir=""
build=1
binary=""
scratch="$root/.build"
manual_tool=""
man=1

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: $1 needs a value" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) need_arg "$@"; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#*=}"; shift ;;
        --destdir) need_arg "$@"; destdir="$2"; shift 2 ;;
        --destdir=*) destdir="${1#*=}"; shift ;;
        --no-build) build=0; shift ;;
        --binary) need_arg "$@"; binary="$2"; shift 2 ;;
        --binary=*) binary="${1#*=}"; shift ;;
        --scratch-path) need_arg "$@"; scratch="$2"; shift 2 ;;
        --scratch-path=*) scratch="${1#*=}"; shift ;;
        --manual-tool) need_arg "$@"; manual_tool="$2"; shift 2 ;;
        --manual-tool=*) manual_tool="${1#*=}"; shift ;;
        --no-man) man=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

case "$prefix" in
    /*) ;;
    *) echo "install.sh: --prefix must be an absolute path, got '$prefix'" >&2; exit 2 ;;
esac
prefix="${prefix%/}"
destdir="${destdir%/}"

# 1. Build (release, Swift runtime linked statically so the service does not depend on the toolchain's
#    location, which ProtectHome=/ProtectSystem= may hide).
if [ "$build" -eq 1 ]; then
    echo "install.sh: building predictord (release)"
    (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product predictord)
fi
if [ -z "$binary" ]; then
    binary="$scratch/release/predictord"
fi
if [ ! -x "$binary" ]; then
    echo "install.sh: no executable at '$binary'; build first (drop --no-build) or pass --binary PATH" >&2
    exit 1
fi

bindir="$destdir$prefix/bin"
confdir="$destdir/etc/predictord"
unitdir="$destdir/etc/systemd/system"
docdir="$destdir$prefix/share/doc/predictord"

# 2. Binary.
install -d -m 0755 "$bindir"
install -m 0755 "$binary" "$bindir/predictord.new"
mv -f "$bindir/predictord.new" "$bindir/predictord"
echo "install.sh: installed $bindir/predictord"

# 2b. Shell completions and the man page, generated from the installed binary's argument parser, checked before
#     anything is installed (a completion script must be non-empty; the bash one must parse).
gen="$(mktemp -d)"
tmp=""
cleanup() { rm -rf "$gen"; if [ -n "$tmp" ]; then rm -f "$tmp"; fi; }
trap cleanup EXIT
"$binary" --generate-completion-script bash > "$gen/predictord.bash"
"$binary" --generate-completion-script zsh > "$gen/_predictord"
"$binary" --generate-completion-script fish > "$gen/predictord.fish"
for f in "$gen/predictord.bash" "$gen/_predictord" "$gen/predictord.fish"; do
    [ -s "$f" ] || { echo "install.sh: '$binary --generate-completion-script' wrote nothing for $(basename "$f")" >&2; exit 1; }
done
bash -n "$gen/predictord.bash" || { echo "install.sh: the generated bash completion does not parse" >&2; exit 1; }
for pair in "predictord.bash:bash-completion/completions/predictord" "_predictord:zsh/site-functions/_predictord" \
            "predictord.fish:fish/vendor_completions.d/predictord.fish"; do
    install -D -m 0644 "$gen/${pair%%:*}" "$destdir$prefix/share/${pair#*:}"
done
echo "install.sh: installed bash, zsh and fish completions in $destdir$prefix/share"
if [ "$man" -eq 1 ]; then
    if [ -z "$manual_tool" ]; then
        # `plugin generate-manual --help` builds only the plugin's tool; the tool then reads the binary's help dump.
        # SwiftPM itself has been seen to crash (libdispatch, SIGSEGV) after the tool was built: use the tool if it is there.
        (cd "$root" && swift package --scratch-path "$scratch" plugin generate-manual --help >/dev/null) \
            || echo "install.sh: 'swift package plugin generate-manual' exited $?; using the tool it built, if any" >&2
        manual_tool="$(find "$scratch" -name generate-manual-tool -type f -perm -u+x 2>/dev/null | head -n 1)"
    fi
    [ -n "$manual_tool" ] && [ -x "$manual_tool" ] || { echo "install.sh: no generate-manual tool ('$manual_tool'); pass --manual-tool PATH or --no-man" >&2; exit 1; }
    mkdir -p "$gen/man"
    "$manual_tool" "$binary" --section 1 --date "$(date -u +%Y-%m-%d)" --output-directory "$gen/man"
    [ -s "$gen/man/predictord.1" ] || { echo "install.sh: $manual_tool wrote no predictord.1" >&2; exit 1; }
    install -D -m 0644 "$gen/man/predictord.1" "$destdir$prefix/share/man/man1/predictord.1"
    echo "install.sh: installed $destdir$prefix/share/man/man1/predictord.1"
fi

# 3. Configuration: never overwrite one that exists.
install -d -m 0755 "$confdir"
if [ -e "$confdir/predictord.yaml" ]; then
    echo "install.sh: kept existing $confdir/predictord.yaml (the bundled default is $root/Config/predictord.yaml)"
else
    install -m 0644 "$root/Config/predictord.yaml" "$confdir/predictord.yaml"
    echo "install.sh: installed $confdir/predictord.yaml"
fi

# 4. Unit, with ExecStart and Documentation pointing at the prefix.
install -d -m 0755 "$unitdir"
tmp="$(mktemp "$unitdir/.predictord.service.XXXXXX")"
sed -e "s#^ExecStart=/usr/local/bin/predictord #ExecStart=$prefix/bin/predictord #" \
    -e "s#^Documentation=file:///usr/local/share/doc/predictord/#Documentation=file://$prefix/share/doc/predictord/#" \
    "$here/predictord.service" > "$tmp"
grep -q "^ExecStart=$prefix/bin/predictord run --config /etc/predictord/predictord.yaml\$" "$tmp" || {
    echo "install.sh: could not rewrite ExecStart in $here/predictord.service" >&2
    exit 1
}
chmod 0644 "$tmp"
mv -f "$tmp" "$unitdir/predictord.service"
tmp=""
echo "install.sh: installed $unitdir/predictord.service"

# 5. Documentation.
install -d -m 0755 "$docdir"
for doc in protocol.md configuration.md operations.md; do
    if [ -f "$root/docs/$doc" ]; then install -m 0644 "$root/docs/$doc" "$docdir/$doc"; fi
done
echo "install.sh: installed documentation in $docdir"

if [ -n "$destdir" ]; then
    echo "install.sh: staged under $destdir (copy it to / to install)"
fi
cat <<NEXT

Next steps:
  predictord check-config /etc/predictord/predictord.yaml   # optional: validate the configuration
  systemctl daemon-reload
  systemctl enable --now predictord
  systemctl status predictord
  journalctl -u predictord -f
NEXT
