#!/usr/bin/env bash
# tests/check-hardening.sh [DYNAMIC [STATIC [STATIC_OBJDIR [STATIC_LIBS]]]]
#
# Reads the built binaries with readelf (binutils, nothing else) and fails,
# naming the property, when one that the Makefile's hardening should give
# is missing.  DYNAMIC defaults to ./sockward, STATIC to ./sockward-static,
# STATIC_OBJDIR (the objects STATIC was linked from) to build/static and
# STATIC_LIBS (the archives it was linked with, space-separated) to
# build/wolfssl-musl/lib/libwolfssl.a; pass "" for any to skip it.
#
# The dynamic (glibc) binary must be:
#   PIE         ELF type DYN and DT_FLAGS_1 has PIE (a shared library is
#               DYN too; the flag is what tells an executable apart);
#   RELRO       a GNU_RELRO program header;
#   BIND_NOW    DT_FLAGS has BIND_NOW or DT_FLAGS_1 has NOW (without it
#               RELRO leaves the GOT writable: "partial RELRO");
#   stack protector  __stack_chk_fail imported;
#   fortified   at least one glibc __*_chk function imported.  Fortify
#               only rewrites calls whose object size the compiler knows,
#               so this proves the flag was on, not that every call is
#               checked;
#   NX stack    GNU_STACK not executable.
#
# The static musl binary (see "make static" in the Makefile for why it has
# less) must be:
#   static      no INTERP header and no DT_NEEDED: no dynamic linker and
#               no shared library, so nothing is bound lazily and
#               BIND_NOW has nothing to turn off;
#   PIE         ELF type DYN and DT_FLAGS_1 PIE (a static PIE: musl's
#               rcrt1.o relocates it at start-up);
#   stack protector  checked on the objects it was linked from: each
#               object with a protected function calls __stack_chk_fail
#               (an undefined symbol readelf -s shows).  The binary
#               itself cannot show it: it is stripped, and Debian builds
#               musl's libc.a with the stack protector, so its
#               __stack_chk_fail and canary code are there with or
#               without ours.  An object newer than the binary fails
#               the check (it would not be what was linked).  The
#               same for the archives in STATIC_LIBS (wolfSSL, built by
#               scripts/wolfssl-musl.sh): some of their members must
#               call __stack_chk_fail;
#   NX stack    GNU_STACK not executable.
# Not checked on it, because it does not have them: fortify (musl has no
# fortified headers), and RELRO at run time: the linker writes a GNU_RELRO
# segment, but neither rcrt1.o nor musl's static start-up mprotect()s it,
# so its presence is reported and not counted as protection.
set -euo pipefail
cd "$(dirname "$0")/.."

DYN=${1-./sockward}
STATIC=${2-./sockward-static}
STATIC_OBJ=${3-build/static}
STATIC_LIBS=${4-build/wolfssl-musl/lib/libwolfssl.a}

if ! command -v readelf >/dev/null 2>&1; then
	. scripts/deps.sh
	deps_install binutils
fi

fails=0
fail() {
	echo "check-hardening: $1: MISSING $2" >&2
	fails=$((fails + 1))
}
ok() {
	echo "check-hardening: $1: $2"
}

# readelf -h: "Type: DYN (Position-Independent Executable file)".
elf_type() {
	readelf -h "$1" | awk '$1 == "Type:" { print $2 }'
}

nx_stack() {
	local f=$1 flags
	flags=$(readelf -lW "$f" | awk '$1 == "GNU_STACK" { print $(NF-1) }')
	if [ -z "$flags" ]; then
		fail "$f" "NX stack (no GNU_STACK header: the kernel maps the stack executable)"
	elif [[ $flags == *E* ]]; then
		fail "$f" "NX stack (GNU_STACK is $flags)"
	else
		ok "$f" "NX stack"
	fi
}

check_dynamic() {
	local f=$1 dyn syms n
	[ -f "$f" ] || { fail "$f" "the file itself (build it first)"; return; }
	dyn=$(readelf -dW "$f")
	if [ "$(elf_type "$f")" = DYN ] &&
	    grep -Eq '\(FLAGS_1\).*Flags:.* PIE( |$)' <<<"$dyn"; then
		ok "$f" "PIE"
	else
		fail "$f" "PIE (want ELF type DYN and DT_FLAGS_1 PIE; build with -fPIE -pie)"
	fi
	if readelf -lW "$f" | awk '$1 == "GNU_RELRO" { r = 1 } END { exit !r }'; then
		ok "$f" "RELRO"
	else
		fail "$f" "RELRO (no GNU_RELRO segment; link with -z relro)"
	fi
	if grep -Eq '\(FLAGS\).* BIND_NOW( |$)|\(FLAGS_1\).*Flags:.* NOW( |$)' <<<"$dyn"; then
		ok "$f" "BIND_NOW"
	else
		fail "$f" "BIND_NOW (neither DT_FLAGS BIND_NOW nor DT_FLAGS_1 NOW; link with -z now)"
	fi
	# Undefined (imported) dynamic symbols only.
	syms=$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" { sub(/@.*/, "", $8); print $8 }')
	if grep -qx '__stack_chk_fail' <<<"$syms"; then
		ok "$f" "stack protector (__stack_chk_fail imported)"
	else
		fail "$f" "stack protector (__stack_chk_fail not imported; compile with -fstack-protector-strong)"
	fi
	n=$(grep -Ec '^__[a-z0-9_]+_chk$' <<<"$syms" || true)
	if [ "$n" -gt 0 ]; then
		ok "$f" "fortified ($n __*_chk functions imported)"
	else
		fail "$f" "_FORTIFY_SOURCE (no __*_chk function imported; compile with -O1 or more and -D_FORTIFY_SOURCE=2 or 3)"
	fi
	nx_stack "$f"
}

# The stack protector in archive $2 that static binary $1 was linked
# with: members calling __stack_chk_fail, out of all members.
static_lib() {
	local f=$1 a=$2 counts
	if [ ! -f "$a" ]; then
		fail "$f" "stack protector in $a (cannot be checked: no such archive; make static builds it)"
		return
	fi
	if [ "$a" -nt "$f" ]; then
		fail "$f" "stack protector in $a (cannot be checked: the archive is newer than the binary)"
		return
	fi
	# readelf -s on an archive: "File: ARCHIVE(MEMBER)" before each
	# member's symbol table.
	counts=$(readelf -sW "$a" | awk '
		/^File: / { total++; m = $2; next }
		$7 == "UND" && $8 == "__stack_chk_fail" && !(m in seen) { seen[m] = 1; n++ }
		END { print n + 0, total + 0 }')
	if [ "${counts%% *}" -gt 0 ]; then
		ok "$f" "stack protector (${counts%% *} of ${counts##* } members of $a call __stack_chk_fail)"
	else
		fail "$f" "stack protector (no member of $a calls __stack_chk_fail; build it with -fstack-protector-strong: scripts/wolfssl-musl.sh)"
	fi
}

check_static() {
	local f=$1 objdir=$2 objs o n total stale a
	[ -f "$f" ] || { fail "$f" "the file itself (build it with make static)"; return; }
	# grep -c reads all its input: grep -q could exit first and, under
	# pipefail, readelf's SIGPIPE would decide the test.
	if [ "$(readelf -lW "$f" | grep -c '^ *INTERP ')" = 0 ] &&
	    [ "$(readelf -dW "$f" | grep -c '(NEEDED)')" = 0 ]; then
		ok "$f" "static (no interpreter, no shared library: nothing bound lazily)"
	else
		fail "$f" "static linking (want no INTERP header and no DT_NEEDED)"
	fi
	if [ "$(elf_type "$f")" = DYN ] &&
	    [ "$(readelf -dW "$f" | grep -Ec '\(FLAGS_1\).*Flags:.* PIE( |$)')" != 0 ]; then
		ok "$f" "PIE (static)"
	else
		fail "$f" "PIE (want ELF type DYN and DT_FLAGS_1 PIE: link with rcrt1.o, -pie and --no-dynamic-linker, see make static)"
	fi
	# Stripped, and with musl's own protected functions in it, the
	# binary cannot show whether sockward's code has canaries: the
	# objects it was linked from can.
	objs=$(find "$objdir" -name '*.o' 2>/dev/null | sort)
	if [ -z "$objs" ]; then
		fail "$f" "stack protector (cannot be checked: no objects in $objdir)"
	else
		n=0 total=0 stale=
		for o in $objs; do
			total=$((total + 1))
			[ "$o" -nt "$f" ] && stale="$stale $o"
			if readelf -sW "$o" | awk '$7 == "UND" && $8 == "__stack_chk_fail" { r = 1 } END { exit !r }'; then
				n=$((n + 1))
			fi
		done
		if [ -n "$stale" ]; then
			fail "$f" "stack protector (cannot be checked: objects newer than the binary:$stale)"
		elif [ "$n" -gt 0 ]; then
			ok "$f" "stack protector ($n of $total objects in $objdir call __stack_chk_fail)"
		else
			fail "$f" "stack protector (none of the $total objects in $objdir calls __stack_chk_fail; compile with -fstack-protector-strong)"
		fi
	fi
	for a in $STATIC_LIBS; do
		static_lib "$f" "$a"
	done
	nx_stack "$f"
	if readelf -lW "$f" | awk '$1 == "GNU_RELRO" { r = 1 } END { exit !r }'; then
		echo "check-hardening: $f: (GNU_RELRO segment present, not enforced: musl's static start-up does not mprotect it)"
	fi
}

[ -z "$DYN" ] || check_dynamic "$DYN"
[ -z "$STATIC" ] || check_static "$STATIC" "$STATIC_OBJ"

if [ "$fails" -gt 0 ]; then
	echo "check-hardening: FAIL: $fails missing" >&2
	exit 1
fi
echo "check-hardening: OK"
