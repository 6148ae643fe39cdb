#!/usr/bin/env python3
"""Other projects' QUIC captures (../shared/captures-public, names holding
"quic"): every client port where tshark decodes a ClientHello in a QUIC
Initial has a QUIC report with tshark's SNI, and with tshark's cipher when
tshark decodes the ServerHello; the quic_version is that of the client's
first Initial. Secrets embedded in pcapng files are used by tshark only, so
only Initial-packet facts are compared. Exit 77 when the folder or tshark is
absent.

usage: run_quic_public.py TLSDIAG [PUBLIC_DIR]
"""
import json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'captures-public'))
CIPHERS = {0x1301: 'TLS_AES_128_GCM_SHA256', 0x1302: 'TLS_AES_256_GCM_SHA384',
           0x1303: 'TLS_CHACHA20_POLY1305_SHA256'}


def tshark(pcap):
    f = ['udp.srcport', 'udp.dstport', 'quic.version', 'tls.handshake.type',
         'tls.handshake.extensions_server_name', 'tls.handshake.ciphersuite']
    cmd = ['tshark', '-r', pcap, '-T', 'fields', '-E', 'occurrence=a', '-Y', 'quic']
    for x in f:
        cmd += ['-e', x]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    sni, cipher, version = {}, {}, {}
    for line in out.splitlines():
        v = (line.split('\t') + [''] * 6)[:6]
        if not v[0]:
            continue
        sport, dport = int(v[0]), int(v[1])
        types = v[3].split(',') if v[3] else []
        if '1' in types and sport not in sni:
            sni[sport] = v[4].split(',')[0] or None
            if v[2]:
                version[sport] = int(v[2].split(',')[0], 16)
        if '2' in types and dport not in cipher and v[5]:
            cipher[dport] = int(v[5].split(',')[0], 16)
    return sni, cipher, version


def main():
    tlsdiag = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else DEFAULT
    if not os.path.isdir(root) or not shutil.which('tshark'):
        print('no public captures or no tshark: skipped')
        return 77
    pcaps = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                   if 'quic' in f.lower() and f.endswith(('.pcap', '.pcapng')))
    errors, conns = [], 0
    for p in pcaps:
        name = os.path.relpath(p, root)
        sni, cipher, version = tshark(p)
        out = subprocess.run([tlsdiag, '-a', '-f', 'json', p], capture_output=True, text=True,
                             timeout=300).stdout
        ours = {}
        for line in out.splitlines():
            if line.startswith('{"ts"'):
                r = json.loads(line)
                if r['transport'] == 'quic' and r['client']['port'] not in ours:
                    ours[r['client']['port']] = r
        for port, want in sni.items():
            conns += 1
            r = ours.get(port)
            if not r:
                errors.append(f'{name}: client port {port}: no QUIC report (tshark SNI {want})')
                continue
            if r['sni'] != want:
                errors.append(f"{name}: port {port}: sni {r['sni']} != tshark {want}")
            if port in cipher and cipher[port] in CIPHERS and r['cipher'] != CIPHERS[cipher[port]]:
                errors.append(f"{name}: port {port}: cipher {r['cipher']} != tshark {cipher[port]:#x}")
            v = version.get(port)
            want_v = {1: 'v1', 0x6b3343cf: 'v2'}.get(v) if v else None
            if want_v and r['quic_version'] != want_v:
                errors.append(f"{name}: port {port}: quic_version {r['quic_version']} != {want_v}")
    for e in errors:
        print('FAIL', e)
    print(f'{len(pcaps)} public QUIC captures, {conns} connections with a ClientHello, '
          f'{len(errors)} disagreements')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
