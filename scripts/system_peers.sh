#!/usr/bin/env bash
# Install the Debian programs that quic-multistream's optional interop tests run
# against: ngtcp2's example HTTP/3 client (ngtcp2-client: gtlsclient) and a
# headless Chromium (chromium-headless-shell, for WebTransport).
# Only as root with apt-get; otherwise, or when apt fails, those tests skip and
# say why. Set MIDSTREAM_NO_SYSTEM_PEERS=1 to never install. Always exits 0.
set -u
packages=(ngtcp2-client chromium-headless-shell)

[ "${MIDSTREAM_NO_SYSTEM_PEERS:-}" = 1 ] && exit 0
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system_peers: not root or no apt-get: interop tests needing ${missing[*]} will skip" >&2
  exit 0
fi
log=$(mktemp)
start=$SECONDS
install() {
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends \
    "$@" >>"$log" 2>&1
}
# A fresh machine may have no package lists yet: update once, then retry each
# package alone so one unavailable package does not block the other.
if install "${missing[@]}"; then
  echo "system_peers: installed ${missing[*]} in $((SECONDS - start)) s" >&2
  rm -f "$log"
  exit 0
fi
timeout 300 apt-get update -q >>"$log" 2>&1
failed=()
for p in "${missing[@]}"; do
  install "$p" || failed+=("$p")
done
if [ ${#failed[@]} -eq 0 ]; then
  echo "system_peers: installed ${missing[*]} in $((SECONDS - start)) s" >&2
  rm -f "$log"
else
  echo "system_peers: apt-get could not install ${failed[*]} (log: $log); those tests will skip" >&2
fi
exit 0
