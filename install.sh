#!/bin/sh
# Installs what skiff needs on a Debian 12 machine and a `skiff` launcher that runs this
# checkout with skiff's permission set. Idempotent: a second run checks and does nothing.
#
#   ./install.sh            as root: Deno (from npm), runc, conmon, CNI plugins, catatonit,
#                           busybox-static, uidmap, slirp4netns, iptables, iproute2, zstd;
#                           default config into /usr/share/skiff; /usr/local/bin/skiff
#   ./install.sh --no-deps  only the config files and the launcher
#
# Only the npm registry and Debian's apt repositories are used.
set -eu

DENO_VERSION=2.9.6
APT_PACKAGES="runc conmon containernetworking-plugins catatonit busybox-static uidmap slirp4netns iptables iproute2 zstd tar python3"
# Used by the tests only: podman is the behaviour oracle, docker-registry serves pull/push tests.
APT_TEST_PACKAGES="podman docker-registry"

here=$(cd "$(dirname "$0")" && pwd)
deps=1
for arg in "$@"; do
  case "$arg" in
    --no-deps) deps=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option: $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'install.sh: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "run as root (it installs packages and writes /usr/share/skiff and /usr/local/bin)"
  exit 1
fi

if [ "$deps" = 1 ]; then
  missing=""
  for p in $APT_PACKAGES $APT_TEST_PACKAGES; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "installing apt packages:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi

  if ! command -v deno >/dev/null 2>&1 || ! deno --version 2>/dev/null | grep -q "^deno $DENO_VERSION "; then
    command -v npm >/dev/null 2>&1 || {
      say "installing npm"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    }
    say "installing deno $DENO_VERSION from npm"
    npm install -g --silent "deno@$DENO_VERSION" >/dev/null
    hash -r 2>/dev/null || true
  fi
  deno --version | grep -q "^deno $DENO_VERSION " || { say "deno $DENO_VERSION did not install"; exit 1; }
fi

# Default configuration shipped with skiff.
install -d -m 0755 /usr/share/skiff
for f in "$here"/conf/*; do
  install -m 0644 "$f" "/usr/share/skiff/$(basename "$f")"
done

# Cache the npm dependencies pinned in deno.lock, so the launcher works offline afterwards.
(cd "$here" && deno install --quiet --frozen)

# The launcher: this checkout, run with the permission set from deno.json.
launcher=/usr/local/bin/skiff
tmp="$launcher.tmp.$$"
cat > "$tmp" <<EOF
#!/bin/sh
exec deno run -P --quiet --no-prompt --config "$here/deno.json" "$here/main.ts" "\$@"
EOF
chmod 0755 "$tmp"
mv -f "$tmp" "$launcher"
# An image to run offline: busybox built from Debian's busybox-static, loaded once.
images=/usr/share/skiff/images
if [ "$deps" = 1 ] && [ -x /bin/busybox ]; then
  deno run -P --quiet --config "$here/deno.json" "$here/tests/images/build_images.ts" "$images" >/dev/null
  if ! "$launcher" image exists localhost/busybox 2>/dev/null; then
    "$launcher" load -q -i "$images/busybox.docker.tar"
  fi
fi
say "ok: skiff -> $here (deno $(deno --version | head -1 | cut -d' ' -f2)); try: skiff run --rm localhost/busybox echo hello"
