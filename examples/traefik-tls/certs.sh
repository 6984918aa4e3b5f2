#!/bin/sh
# Make the certificates of examples/traefik-tls/compose.yml with openssl:
#
#   sudo ./examples/traefik-tls/certs.sh [DIR]      (DIR: ./certs here)
#
#   DIR/ca/ca.pem, ca-key.pem        a CA (ECDSA P-256) of your own; keep
#                                    ca-key.pem out of every container
#   DIR/sockward/cert.pem, key.pem   sockward's server certificate, for the
#                                    DNS name Traefik connects to
#                                    (SOCKWARD_NAME, default sockward)
#   DIR/sockward/ca.pem              the CA, to verify Traefik's certificate
#   DIR/traefik/cert.pem, key.pem    Traefik's client certificate, subject
#                                    CN=traefik (CLIENT_CN), the name
#                                    sockward admits (SOCKWARD_CERT_CN)
#   DIR/traefik/ca.pem               the CA, to verify sockward's
#
# Keys are mode 0600.  Run it as root: sockward reads its key as root in a
# container with every capability dropped (no CAP_DAC_OVERRIDE), so the
# key must belong to root.  DAYS (default 825) sets the validity.  An
# existing DIR/ca/ca.pem is never overwritten.
set -eu

dir=${1:-$(dirname "$0")/certs}
name=${SOCKWARD_NAME:-sockward}
cn=${CLIENT_CN:-traefik}
days=${DAYS:-825}

command -v openssl >/dev/null 2>&1 || {
	echo "certs.sh: needs openssl (apt-get install openssl)" >&2
	exit 1
}
if [ -e "$dir/ca/ca.pem" ]; then
	echo "certs.sh: $dir/ca/ca.pem exists; remove $dir to start again" >&2
	exit 1
fi
[ "$(id -u)" -eq 0 ] || echo "certs.sh: not root: sockward (no capabilities) may not read its key; chown 0:0 $dir/sockward/key.pem" >&2

umask 077
mkdir -p "$dir/ca" "$dir/sockward" "$dir/traefik"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout "$dir/ca/ca-key.pem" -out "$dir/ca/ca.pem" \
	-days "$days" -subj "/CN=sockward example CA" \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null

# leaf SUBDIR CN EXTENSIONS
leaf() {
	printf '%s\nkeyUsage=critical,digitalSignature\n' "$3" >"$tmp/$1.ext"
	# shellcheck disable=SC2086
	openssl req $ec -keyout "$dir/$1/key.pem" -out "$tmp/$1.csr" \
		-subj "/CN=$2" 2>/dev/null
	openssl x509 -req -in "$tmp/$1.csr" -CA "$dir/ca/ca.pem" \
		-CAkey "$dir/ca/ca-key.pem" -CAcreateserial \
		-CAserial "$tmp/ca.srl" -days "$days" -out "$dir/$1/cert.pem" \
		-extfile "$tmp/$1.ext" 2>/dev/null
	cp "$dir/ca/ca.pem" "$dir/$1/ca.pem"
}
leaf sockward "$name" "subjectAltName=DNS:$name
extendedKeyUsage=serverAuth"
leaf traefik "$cn" "extendedKeyUsage=clientAuth"

chmod 0755 "$dir" "$dir/sockward" "$dir/traefik"
chmod 0644 "$dir/ca/ca.pem" "$dir"/sockward/*.pem "$dir"/traefik/*.pem
chmod 0600 "$dir/ca/ca-key.pem" "$dir/sockward/key.pem" "$dir/traefik/key.pem"
echo "certs.sh: $dir/sockward (server, DNS:$name) and $dir/traefik (client, CN=$cn), valid $days days"
