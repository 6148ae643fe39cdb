#!/bin/sh
# Makes the certificate fixtures for tests/check_cert.c and the seed corpus of
# tests/fuzz/fuzz_cert.c with the openssl command line (OpenSSL 3.0).
#
# Validity dates are FIXED (openssl ca -startdate/-enddate), so the tests are
# deterministic whatever today's date is. Keys are random: running this again
# changes the bytes, never what the tests expect. Only the files the tests read
# are kept: CA certificates (PEM for the trust stores, DER), leaves (DER), the
# private keys of the leaves that sign ServerKeyExchange vectors, and the
# vectors (ske-*.sig over ske-data.bin).
#
#   root.pem        CN=tlsdiag Test Root CA           2020-01-01 .. 2040-01-01
#   inter.pem/.der  CN=tlsdiag Test Intermediate CA   2020-01-01 .. 2040-01-01, by root
#   other-root.pem  CN=tlsdiag Other Root CA          (a store that trusts nothing here)
#   leaves, all issued by inter unless noted, 2025-01-01 .. 2027-01-01 unless noted:
#   good.der        RSA 2048, SAN DNS:server.test, DNS:*.wild.test, IP:192.0.2.7
#   expired.der     2020-01-01 .. 2021-01-01          notyet.der   2030-01-01 .. 2031-01-01
#   wronghost.der   SAN DNS:other.test                cnonly.der   CN=cnonly.test, no SAN
#   selfsigned.der  self-signed, SAN DNS:selfsigned.test
#   aia.der         self-signed, authorityInfoAccess caIssuers + OCSP URIs
#   weakrsa.der     RSA 1024                          sha1.der     signed with SHA-1
#   ecdsa.der       EC P-256                          ec224.der    EC P-224 (weak)
#   ed25519.der     Ed25519                           ed448.der    Ed448
#   rsapss.der      RSA-PSS key (rsassaPss SPKI)       bigsan.der   400 DNS SANs
#   short.der       valid 2025-06-01 .. 2025-06-10 (expires_soon, capture-time tests)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
corpus="$here/../fuzz/corpus/fuzz_cert"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

cat >ca.cnf <<'EOF'
[ca]
default_ca = CA_default
[CA_default]
dir = ${ENV::CADIR}
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${ENV::SAN}
[leaf_nosan]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_self]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = ${ENV::SAN}
[leaf_self_aia]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = ${ENV::SAN}
authorityInfoAccess = caIssuers;URI:http://ca.test/inter.der,OCSP;URI:http://ocsp.test/
EOF
SAN=DNS:unused
export SAN

newkey() { # newkey <file> <algorithm> [pkeyopt...]
	out=$1 alg=$2
	shift 2
	opts=
	for o in "$@"; do opts="$opts -pkeyopt $o"; done
	# shellcheck disable=SC2086
	openssl genpkey -algorithm "$alg" $opts -out "$out" 2>/dev/null
}

newca() { # newca <name>
	mkdir -p "$1/new"
	: >"$1/index.txt"
	echo 1000 >"$1/serial"
}

# sign <ca> <key> <subject> <out.pem> <start> <end> <extensions> [md]
sign() {
	ca=$1 key=$2 subj=$3 out=$4 start=$5 end=$6 ext=$7 md=${8:-sha256}
	openssl req -new -key "$key" -subj "$subj" -out "$out.csr" 2>/dev/null
	if [ "$ca" = self ]; then
		CADIR=$work/selfca
		[ -d "$CADIR" ] || newca "$CADIR"
		CADIR=$CADIR openssl ca -config ca.cnf -batch -notext -selfsign -keyfile "$key" \
			-in "$out.csr" -out "$out" -startdate "$start" -enddate "$end" \
			-extensions "$ext" -md "$md" 2>/dev/null
	else
		CADIR=$work/$ca openssl ca -config ca.cnf -batch -notext -cert "$ca.pem" \
			-keyfile "$ca.key" -in "$out.csr" -out "$out" -startdate "$start" \
			-enddate "$end" -extensions "$ext" -md "$md" 2>/dev/null
	fi
}

der() { openssl x509 -in "$1.pem" -outform DER -out "$here/$1.der"; }

Y2020=20200101000000Z Y2021=20210101000000Z Y2025=20250101000000Z Y2027=20270101000000Z
Y2030=20300101000000Z Y2031=20310101000000Z Y2040=20400101000000Z

newkey root.key RSA rsa_keygen_bits:2048
newkey inter.key RSA rsa_keygen_bits:2048
newkey other-root.key EC ec_paramgen_curve:P-256
newca root
newca inter
sign self root.key "/O=tlsdiag/CN=tlsdiag Test Root CA" root.pem $Y2020 $Y2040 v3_root
sign self other-root.key "/O=tlsdiag/CN=tlsdiag Other Root CA" other-root.pem $Y2020 $Y2040 v3_root
sign root inter.key "/O=tlsdiag/CN=tlsdiag Test Intermediate CA" inter.pem $Y2020 $Y2040 v3_inter

newkey good.key RSA rsa_keygen_bits:2048
newkey weakrsa.key RSA rsa_keygen_bits:1024
newkey ecdsa.key EC ec_paramgen_curve:P-256
newkey ec224.key EC ec_paramgen_curve:P-224
newkey ed25519.key ED25519
newkey ed448.key ED448
newkey rsapss.key RSA-PSS rsa_keygen_bits:2048

leaf() { # leaf <name> <key> <cn> <san> [start end [md]]
	SAN=$4 sign inter "$2" "/CN=$3" "$1.pem" "${5:-$Y2025}" "${6:-$Y2027}" leaf "${7:-sha256}"
	der "$1"
}

leaf good good.key server.test "DNS:server.test,DNS:*.wild.test,IP:192.0.2.7"
leaf expired good.key expired.test DNS:expired.test $Y2020 $Y2021
leaf notyet good.key notyet.test DNS:notyet.test $Y2030 $Y2031
leaf wronghost good.key other.test DNS:other.test
sign inter good.key /CN=cnonly.test cnonly.pem $Y2025 $Y2027 leaf_nosan
der cnonly
SAN=DNS:selfsigned.test sign self good.key /CN=selfsigned.test selfsigned.pem $Y2025 $Y2027 leaf_self
der selfsigned
SAN=DNS:aia.test sign self good.key /CN=aia.test aia.pem $Y2025 $Y2027 leaf_self_aia
der aia
leaf weakrsa weakrsa.key weak.test DNS:weak.test
leaf sha1 good.key sha1.test DNS:sha1.test $Y2025 $Y2027 sha1
leaf ecdsa ecdsa.key ecdsa.test DNS:ecdsa.test
leaf ec224 ec224.key ec224.test DNS:ec224.test
leaf ed25519 ed25519.key ed25519.test DNS:ed25519.test
leaf ed448 ed448.key ed448.test DNS:ed448.test
leaf rsapss rsapss.key rsapss.test DNS:rsapss.test
leaf short good.key short.test DNS:short.test 20250601000000Z 20250610000000Z
san=DNS:bigsan.test
i=0
while [ $i -lt 399 ]; do
	san="$san,DNS:name-$i.bigsan.test"
	i=$((i + 1))
done
leaf bigsan good.key bigsan.test "$san"

for c in root inter other-root; do
	cp "$c.pem" "$here/$c.pem"
	der "$c"
done
for k in good ecdsa ed25519 ed448 rsapss; do
	cp "$k.key" "$here/$k.key.pem"
done

# ServerKeyExchange vectors: the signed data is client_random (32 x 0x11) ||
# server_random (32 x 0x22) || ECDHE params (named_curve x25519, 32-byte point).
{
	i=0
	while [ $i -lt 32 ]; do printf '\021'; i=$((i + 1)); done
	i=0
	while [ $i -lt 32 ]; do printf '\042'; i=$((i + 1)); done
	printf '\003\000\035\040'
	i=0
	while [ $i -lt 32 ]; do printf '\125'; i=$((i + 1)); done
} >"$here/ske-data.bin"
data=$here/ske-data.bin
openssl dgst -sha256 -sign good.key -out "$here/ske-rsa_pkcs1_sha256.sig" "$data"
openssl dgst -sha1 -sign good.key -out "$here/ske-rsa_pkcs1_sha1.sig" "$data"
openssl dgst -sha256 -sign good.key -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:digest -out "$here/ske-rsa_pss_rsae_sha256.sig" "$data"
openssl dgst -sha384 -sign rsapss.key -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:digest -out "$here/ske-rsa_pss_pss_sha384.sig" "$data"
openssl dgst -sha256 -sign ecdsa.key -out "$here/ske-ecdsa_secp256r1_sha256.sig" "$data"
openssl dgst -sha1 -sign ecdsa.key -out "$here/ske-ecdsa_sha1.sig" "$data"
openssl pkeyutl -sign -rawin -inkey ed25519.key -in "$data" -out "$here/ske-ed25519.sig"
openssl pkeyutl -sign -rawin -inkey ed448.key -in "$data" -out "$here/ske-ed448.sig"
# TLS 1.0/1.1 RSA: PKCS#1 v1.5 over MD5(data) || SHA1(data), no DigestInfo.
openssl dgst -md5 -binary "$data" >md5sha1.bin
openssl dgst -sha1 -binary "$data" >>md5sha1.bin
openssl pkeyutl -sign -inkey good.key -pkeyopt digest:md5-sha1 -in md5sha1.bin \
	-out "$here/ske-tls10_rsa.sig"

# Fuzz seeds: one flags byte, then (u16 length, DER) per certificate.
mkdir -p "$corpus"
u16() { printf '%b' "\\0$(printf %03o $(($1 >> 8)))\\0$(printf %03o $(($1 & 255)))"; }
seed() { # seed <name> <flags-octal> <der>...
	name=$1 flags=$2
	shift 2
	{
		printf '%b' "\\0$flags"
		for f in "$@"; do
			u16 "$(wc -c <"$here/$f")"
			cat "$here/$f"
		done
	} >"$corpus/$name"
}
seed good-chain 001 good.der inter.der
seed good-leaf 001 good.der
seed misordered 001 good.der root.der inter.der
seed selfsigned 001 selfsigned.der
seed expired 002 expired.der inter.der
seed ecdsa 001 ecdsa.der inter.der
seed ed25519 001 ed25519.der
seed cnonly 001 cnonly.der inter.der
# flag 4: the first chunk is a leaf, then (u16 scheme) and the signature.
{
	printf '\004'
	u16 "$(wc -c <"$here/good.der")"
	cat "$here/good.der"
	printf '\004\001'
	cat "$here/ske-rsa_pkcs1_sha256.sig"
} >"$corpus/ske-rsa"
{
	printf '\004'
	u16 "$(wc -c <"$here/ecdsa.der")"
	cat "$here/ecdsa.der"
	printf '\004\003'
	cat "$here/ske-ecdsa_secp256r1_sha256.sig"
} >"$corpus/ske-ecdsa"
echo "made $(find "$here" -type f | wc -l) files in $here"
