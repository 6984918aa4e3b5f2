#!/usr/bin/env bash
# scripts/wolfssl-musl.sh [OUTDIR]
#
# Builds wolfSSL for `make static`: Debian's own source package (apt-get
# source, with Debian's patches and security fixes applied), compiled with
# musl-gcc as a static, position-independent library with only what
# sockward's src/daemon/tls.c uses.  Debian's libwolfssl.a cannot be used:
# it is compiled against glibc with _FORTIFY_SOURCE and does not link with
# musl (__memcpy_chk, __fdelt_chk, ...).
#
# Result, in OUTDIR (default build/wolfssl-musl):
#   lib/libwolfssl.a    the library
#   include/wolfssl/    its headers, options.h describing this build
#   VERSION             the Debian source version, e.g. 5.5.4-2+deb12u3
#   stamp               what it was built with (see below)
#   configure.log       configure's summary of the features built
#   dl/                 the downloaded source package (cache)
# Nothing of it is committed: build/ is ignored.
#
# Cached: when OUTDIR/stamp records the same compiler, flags and features
# as this run, it prints "up to date" and does nothing (no apt, no
# network; at most it touches the stamp when this script is newer).
# Change WOLFSSL_FEATURES or the flags and it rebuilds from a fresh copy
# of the sources.  A new Debian upload of wolfssl is picked up only after
# `rm -rf OUTDIR` (or make clean).
#
# Needs: root or sudo for what it installs (musl-tools, dpkg-dev and the
# autotools, through scripts/deps.sh) and, once per machine, a deb-src
# entry for Debian's archive: when `apt-cache showsrc wolfssl` finds
# nothing it writes /etc/apt/sources.list.d/sockward-deb-src.sources, a
# copy of the system's Debian "deb" entries as "deb-src", and runs
# apt-get update.  Downloads come from Debian's archive only, checked by
# apt against the archive's signed Sources index.
#
# Environment: CC (default musl-gcc), WOLFSSL_OPT (default -O2: see
# below), WOLFSSL_FEATURES to replace the feature list (for an experiment;
# extend the list below for good), JOBS (default: nproc).
set -euo pipefail
# Run from make: the caller's flags and variable overrides (CC=, CFLAGS=
# on its command line) must not reach wolfSSL's own make.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/wolfssl-musl}
case $out in /*) ;; *) out=$PWD/$out ;; esac

CC=${CC:-musl-gcc}
[ "$CC" = cc ] && CC=musl-gcc	# make's default CC is not a musl compiler

# The configure options: what sockward's TLS needs, and nothing else.
# One per line, why in the comment; to extend, add a line (the options
# wolfSSL has: ./configure --help in OUTDIR/work/wolfssl-*).
WOLFSSL_FEATURES=${WOLFSSL_FEATURES:-"
--enable-static --disable-shared
--disable-examples --disable-crypttests --disable-benchmark
--enable-reproducible-build
--enable-singlethreaded
--disable-optflags
--enable-tls13
--disable-oldtls
--enable-opensslextra
--enable-ip-alt-name
--enable-sni
--enable-supportedcurves
--enable-extended-master
--enable-ecc
--enable-curve25519
--enable-rsa
--enable-aesgcm
--enable-chacha
--enable-poly1305
--enable-sha384
--enable-sha512
--disable-session-ticket
--disable-dh
--disable-aescbc
--disable-md5
--disable-sha3
--disable-pkcs12
--disable-filesystem
--enable-harden
--enable-errorstrings
"}
# Why each one:
#   static, no shared      one libwolfssl.a, linked into the static PIE
#   no examples, tests,    not installed, not needed; saves most of the
#     benchmark            build time
#   reproducible-build     deterministic archive (ar D): same input, same
#                          bytes
#   singlethreaded         sockward is one thread (an event loop): no
#                          mutexes, no pthread
#   no optflags            the -O level is WOLFSSL_OPT below, not
#                          configure's choice
#   tls13, TLS 1.2 (on by  the two versions tls.h allows; no-oldtls
#     default), no oldtls  drops TLS 1.0/1.1 (SSLv3 is off by default)
#   opensslextra           the X509 compatibility API tls.c reads peer
#                          certificates with (X509_get_subject_name,
#                          X509_NAME_get_text_by_NID, X509_get_ext_d2i
#                          for subjectAltName, GENERAL_NAME, notBefore /
#                          notAfter)
#   ip-alt-name            IP addresses in subjectAltName (a tls://
#                          upstream named by its IP, admission by IP SAN)
#   sni                    the client sends the upstream's name; the
#                          server can read it
#   supportedcurves,       ECDHE key exchange with P-256/P-384 (ecc) and
#     ecc, curve25519      X25519, ECDSA certificates
#   extended-master        RFC 7627 for TLS 1.2 (on by default; stated)
#   rsa                    RSA certificates (`openssl req` makes them by
#                          default); TLS 1.3 adds RSA-PSS by itself.
#                          Static-RSA key exchange stays off (wolfSSL
#                          builds it only with WOLFSSL_STATIC_RSA)
#   aesgcm, chacha,        the AEAD ciphers; sha384/512 for
#     poly1305, sha384/512 TLS_AES_256_GCM_SHA384 and certificates
#   no session-ticket      tls.h: no session tickets
#   no dh                  forward secrecy by ECDHE only: no DHE suites,
#                          no FFDHE groups (every TLS 1.2/1.3 client
#                          offers X25519 or P-256)
#   no aescbc              AEAD suites only: CBC suites cannot even be
#                          offered
#   no md5                 used only by TLS 1.0/1.1 and old PEM
#                          encryption (keys are read unencrypted)
#   no sha3, pkcs12        not used by TLS or by tls.c
#   no filesystem          contexts are built from PEM text in memory
#                          (tls.h): the library has no way to open a
#                          file in the unprivileged process
#   harden                 timing resistance, RSA blinding (the default)
#   errorstrings           the messages tls_error() logs (the default)
# Not OPENSSL_COMPATIBLE_DEFAULTS (Debian's build has it): it would accept
# X.509 v1 client certificates (TLS wants v3) and alternative chains.
# Compiler flags: WOLFSSL_OPT (-O2, as sockward's own code: -Os makes the
# library about a fifth smaller and its AES-GCM slower, see HACKING.md,
# "The TLS library"), position-independent code for the static PIE
# (-fPIE; the Makefile links with -z text, so no text relocations), the
# stack protector as in sockward's own objects, and each function and
# object in a section of its own, so that the static link's
# --gc-sections drops the many the daemon never calls (a quarter of the
# binary).  No _FORTIFY_SOURCE: musl has no fortified headers (and
# options.h would record it).
#   WOLFSSL_GETRANDOM   seed the random generator with getrandom(2),
#                       which the sandbox allows, instead of opening
#                       /dev/urandom (a file the sandbox may deny)
WOLFSSL_OPT=${WOLFSSL_OPT:--O2}
cflags="$WOLFSSL_OPT -fPIE -fstack-protector-strong -ffunction-sections -fdata-sections"
cppflags="-DWOLFSSL_GETRANDOM"

# What the cache is keyed on: the compiler (path, its version, musl's
# package version), the flags and the features, on one line.  Computed
# again before it is written: on a first run the compiler may not be
# installed yet.
features=$(printf '%s\n' $WOLFSSL_FEATURES | tr '\n' ' ')
features=${features% }
build_key() {
	printf 'cc=%s (%s, musl %s) cflags=%s cppflags=%s features=%s\n' "$CC" \
	    "$("$CC" -dumpfullversion 2>/dev/null || echo none)" \
	    "$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null || echo none)" \
	    "$cflags" "$cppflags" "$features"
}
key=$(build_key)

# One build at a time in OUTDIR (two makes at once, say): the second waits
# for the first, then finds it up to date.
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

if [ -f "$out/stamp" ] && [ -f "$out/lib/libwolfssl.a" ] &&
    [ "$(cat "$out/stamp")" = "$key" ]; then
	echo "wolfssl-musl: $out up to date (wolfSSL $(cat "$out/VERSION" 2>/dev/null))"
	# An edit to this script that changed no flag: newer stamp, so that
	# make (whose target the stamp is) does not run it again.
	[ "$0" -nt "$out/stamp" ] && touch "$out/stamp"
	exit 0
fi

. "$root/scripts/deps.sh"
deps_install gcc make musl-tools dpkg-dev autoconf automake libtool
command -v "$CC" >/dev/null 2>&1 || {
	echo "wolfssl-musl: $CC not found" >&2
	exit 1
}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Debian's "deb" entries as "deb-src" entries, on standard output, for
# the entries whose URI is a Debian archive (a path ending in /debian or
# /debian-security): debsrc_deb822 from the deb822 stanzas (*.sources),
# debsrc_oneline from the one-line entries (sources.list, *.list).
debsrc_deb822() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush(   i, deb, debian, off) {
			deb = 0; debian = 0; off = 0
			for (i = 1; i <= n; i++) {
				l = tolower(L[i])
				if (l ~ /^types:/ && l ~ /[ \t]deb([ \t]|$)/) deb = 1
				if (l ~ /^uris:/ && l ~ /\/debian(-security)?\/?([ \t]|$)/) debian = 1
				if (l ~ /^enabled:[ \t]*no/) off = 1
			}
			if (deb && debian && !off) {
				for (i = 1; i <= n; i++) {
					if (L[i] ~ /^#/) continue
					if (tolower(L[i]) ~ /^types:/) print "Types: deb-src"
					else print L[i]
				}
				print ""
			}
			n = 0
		}
		/^[ \t]*$/ { flush(); next }
		{ L[++n] = $0 }
		END { flush() }' "$f"
	done
}
debsrc_oneline() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && $0 ~ /\/debian(-security)?\/?[ \t]/ {
			sub(/^[ \t]*deb/, "deb-src"); print }' "$f"
	done
}

# Write entries $2 (if any) to file $1 in /etc/apt/sources.list.d.
debsrc_write() {
	[ -n "$2" ] || return 0
	echo "wolfssl-musl: adding deb-src entries: $1" >&2
	printf '%s\n' "# Written by sockward's scripts/wolfssl-musl.sh: Debian's source" \
	    "# packages, for apt-get source wolfssl." "" "$2" |
		$sudo tee "$1.tmp" >/dev/null
	$sudo mv -f "$1.tmp" "$1"
}

# Make `apt-get source wolfssl` possible: a deb-src entry, then the
# package lists.
have_src() {
	local s
	s=$(apt-cache showsrc wolfssl 2>/dev/null) || return 1
	grep -q '^Package: wolfssl$' <<<"$s"
}
ensure_debsrc() {
	have_src && return 0
	local base=/etc/apt/sources.list.d/sockward-deb-src d822 d1
	if ! grep -rqs '^[ \t]*deb-src\|^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		d822=$(debsrc_deb822)
		d1=$(debsrc_oneline)
		if [ -z "$d822$d1" ]; then
			echo "wolfssl-musl: no Debian archive in /etc/apt/sources.list* to take a deb-src entry from" >&2
			exit 1
		fi
		debsrc_write "$base.sources" "$d822"
		debsrc_write "$base.list" "$d1"
	fi
	$sudo apt-get update -qq
	have_src || {
		echo "wolfssl-musl: apt-cache showsrc wolfssl finds nothing after apt-get update" >&2
		exit 1
	}
}

start=$(date +%s)
mkdir -p "$out/dl"

# The source package, downloaded once into dl/ (kept for a rebuild with
# other flags).  The newest version in the archive: for bookworm, the
# security update when there is one.
if ! ls "$out"/dl/wolfssl_*.dsc >/dev/null 2>&1; then
	ensure_debsrc
	(
		cd "$out/dl"
		# Owned by _apt or not, root downloads fine; the warning
		# that it does so unsandboxed is not worth showing.
		apt-get source -qq --download-only wolfssl 2>&1 |
			grep -v 'unsandboxed as root' >&2 || true
	)
	ls "$out"/dl/wolfssl_*.dsc >/dev/null 2>&1 || {
		echo "wolfssl-musl: apt-get source --download-only wolfssl failed" >&2
		exit 1
	}
fi
dsc=$(ls "$out"/dl/wolfssl_*.dsc | sort -V | tail -n1)
version=$(sed -n 's/^Version: //p' "$dsc")

# A fresh tree each build: Debian's patches applied by dpkg-source.
rm -rf "$out/work" "$out/stage"
mkdir -p "$out/work"
dpkg-source --no-check -x "$dsc" "$out/work/wolfssl" >/dev/null
# (--no-check: the files were checked by apt against the signed index when
# they were downloaded; dpkg-source would want the uploader's key.)

cd "$out/work/wolfssl"
echo "wolfssl-musl: building wolfSSL $version with $CC ($cflags)" >&2
# Debian's tarball has no configure script: upstream's autogen.sh makes
# it (the empty placeholder files its Makefile.am names, then autoreconf).
./autogen.sh >autogen.log 2>&1 || {
	cat autogen.log >&2
	exit 1
}
# shellcheck disable=SC2086  # the feature list is split on purpose
./configure --prefix="$out/stage" CC="$CC" CFLAGS="$cflags" \
	CPPFLAGS="$cppflags" $features >configure.log 2>&1 || {
	tail -n 40 configure.log >&2
	echo "wolfssl-musl: configure failed (log: $PWD/configure.log)" >&2
	exit 1
}
make -j"${JOBS:-$(nproc)}" >make.log 2>&1 || {
	tail -n 40 make.log >&2
	echo "wolfssl-musl: make failed (log: $PWD/make.log)" >&2
	exit 1
}
make install >install.log 2>&1 || {
	tail -n 20 install.log >&2
	exit 1
}

# Keep only the library and the headers; the stamp last, so that an
# interrupted build is never taken for a finished one.
rm -rf "$out/lib" "$out/include" "$out/stamp"
mkdir -p "$out/lib"
cp "$out/stage/lib/libwolfssl.a" "$out/lib/"
cp -R "$out/stage/include" "$out/include"
printf '%s\n' "$version" >"$out/VERSION"
# configure's closing summary, then the tree goes (130 MB of objects).
sed -n '/Configuration summary/,$p' configure.log >"$out/configure.log"
cd "$out"
rm -rf "$out/stage" "$out/work"
build_key >"$out/stamp"

end=$(date +%s)
echo "wolfssl-musl: wolfSSL $version: $out/lib/libwolfssl.a," \
	"$(wc -c <"$out/lib/libwolfssl.a") bytes, built in $((end - start)) s"
