#!/usr/bin/env bash
# Fetches Podman's Quadlet generator (Podman >= 5, from Debian trixie) into .cache/quadlet/ without installing
# Podman: a private apt state (own sources list, lists and cache) downloads the podman .deb, and dpkg -x unpacks it.
# The archive URI is read from this machine's own apt configuration, so no mirror is written down here.
# Prints the path of the quadlet binary. Idempotent: a cached binary is reused.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${QUADLET_CACHE:-$repo_root/.cache/quadlet}"
suite="${QUADLET_SUITE:-trixie}"
binary="$cache/usr/libexec/podman/quadlet"

if [[ -x "$binary" ]] && "$binary" -version >/dev/null 2>&1; then
  echo "$binary"
  exit 0
fi

sources="${APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
# The first deb822 stanza that carries the main archive (not the security archive) and its keyring.
read -r uri keyring < <(
  awk '
    BEGIN { RS = ""; FS = "\n" }
    {
      uri = ""; key = ""; suites = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri = u[1] }
        if ($i ~ /^Suites:/) suites = $i
        if ($i ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", $i); key = $i }
      }
      if (uri != "" && suites !~ /-security/) { print uri, (key == "" ? "-" : key); exit }
    }
  ' "$sources"
)
if [[ -z "${uri:-}" ]]; then
  echo "fetch-quadlet: no archive URI found in $sources" >&2
  exit 1
fi
if [[ "$keyring" == "-" ]]; then keyring=/usr/share/keyrings/debian-archive-keyring.gpg; fi
# Bookworm's debian-archive-keyring (2023.3+) already holds the trixie signing keys.
if [[ ! -r "$keyring" ]]; then
  echo "fetch-quadlet: keyring $keyring is missing (install debian-archive-keyring)" >&2
  exit 1
fi

state="$cache.apt"
rm -rf "$state"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d" "$state/download"
cat >"$state/etc/sources.list" <<SOURCES
deb [signed-by=$keyring] $uri $suite main
SOURCES
touch "$state/status"

apt_opts=(
  -o "Dir::State=$state"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::State::status=$state/status"
  -o "Dir::Cache=$state/cache"
  -o "Dir::Etc::SourceList=$state/etc/sources.list"
  -o "Dir::Etc::SourceParts=-"
  -o "Dir::Etc::Preferences=$state/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
  -o "APT::Architecture=$(dpkg --print-architecture)"
  -o "Acquire::Languages=none"
  -o "Debug::NoLocking=1"
  # The download lands in a directory the _apt sandbox user cannot write; fetching as the caller is fine here.
  -o "APT::Sandbox::User=$(id -un)"
)

apt-get "${apt_opts[@]}" -qq update >&2
(cd "$state/download" && apt-get "${apt_opts[@]}" -qq download podman >&2)
deb="$(ls "$state/download"/podman_*.deb)"
mkdir -p "$cache"
dpkg -x "$deb" "$cache"
rm -rf "$state"

if ! "$binary" -version >/dev/null 2>&1; then
  echo "fetch-quadlet: $binary does not run here" >&2
  exit 1
fi
echo "$binary"
