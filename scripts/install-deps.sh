#!/usr/bin/env bash
# Installs the Debian 12 packages nettracer needs to build, test and run,
# skipping those already present. Run as root (or with sudo available).
set -eu
PKGS=(
  build-essential cmake pkg-config
  libpcap-dev libssl-dev libcurl4-openssl-dev libxml2-dev libpcre2-dev
  libcmocka-dev
  libnetfilter-queue-dev
  python3
  tshark tcpdump
  iproute2 iptables iputils-ping curl nginx-light dnsmasq-base procps
  openssl dnsutils knot-dnsutils
  mingw-w64-common
  coturn python3-exchangelib openssl
  gss-ntlmssp python3-gssapi krb5-kdc krb5-admin-server krb5-user
)
# packages the capture-recording scripts need
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/tests/captures/PACKAGES" ]; then
  while read -r p; do [ -n "$p" ] && [ "${p#\#}" = "$p" ] && PKGS+=("$p"); done < "$here/tests/captures/PACKAGES"
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
# tshark asks whether non-root users may capture: answer no, non-interactively
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
