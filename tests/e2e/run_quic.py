#!/usr/bin/env python3
"""End to end on the QUIC captures of captures/generate_udp.sh.

usage: run_quic.py TLSDIAG CAPTURES_DIR EXPECTED_TSV

Per row of EXPECTED_TSV (the scenario's catalog row: outcome, step,
termination, diagnoses) the QUIC report of the capture must match, and every
value tshark decodes must agree with the report (never tlsdiag's own output):
SNI and cipher (tls.handshake.*), the QUIC version of the client's first
Initial (quic.version), the first CONNECTION_CLOSE's code, sender and TLS
alert (quic.cc.*), Version Negotiation (quic.supported_version), ICMP errors
(icmp.type/code) and "no packet from the server". The ngtcp2 client's own log
(captures/udp-logs/NAME.client.txt) must name the same close code.
Exit 77 (skipped) without tshark.
"""
import json, os, re, shutil, subprocess, sys

FIELDS = ['frame.number', 'udp.srcport', 'udp.dstport', 'quic.version', 'quic.long.packet_type',
          'quic.cc.error_code', 'quic.cc.error_code.tls_alert', 'quic.cc.error_code.app',
          'tls.handshake.extensions_server_name', 'tls.handshake.type',
          'tls.handshake.ciphersuite', 'quic.supported_version', 'icmp.type', 'icmp.code',
          'quic.header_form']


def tshark(pcap, keylog):
    cmd = ['tshark', '-r', pcap, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a']
    if keylog:
        cmd += ['-o', 'tls.keylog_file:' + keylog]
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split('\t') + [''] * len(FIELDS)
        rows.append({f: vals[i] for i, f in enumerate(FIELDS)})
    return rows


def first(v):
    return v.split(',')[0] if v else ''


def truth(rows):
    """What tshark says about the first QUIC connection of the capture."""
    t = {'client_port': None, 'sni': None, 'version': None, 'cipher': None, 'close': None,
         'vn': False, 'icmp': None, 'server_packets': 0}
    for r in rows:
        if r['icmp.type']:
            if t['icmp'] is None:
                t['icmp'] = (int(first(r['icmp.type'])), int(first(r['icmp.code'])))
            continue
        if not r['udp.srcport']:
            continue
        sport = int(r['udp.srcport'])
        if t['client_port'] is None:
            t['client_port'] = sport
            t['version'] = int(first(r['quic.version']), 16)
        client = sport == t['client_port']
        if not client:
            if r['quic.supported_version']:
                t['vn'] = True
            else:
                t['server_packets'] += 1
        types = r['tls.handshake.type'].split(',') if r['tls.handshake.type'] else []
        if client and '1' in types and t['sni'] is None:
            t['sni'] = first(r['tls.handshake.extensions_server_name']) or None
        if not client and '2' in types and t['cipher'] is None:
            t['cipher'] = int(first(r['tls.handshake.ciphersuite']), 16)
        if t['close'] is None and (r['quic.cc.error_code'] or r['quic.cc.error_code.app']):
            code = r['quic.cc.error_code'] or r['quic.cc.error_code.app']
            alert = first(r['quic.cc.error_code.tls_alert'])
            t['close'] = {'code': int(first(code)), 'app': not r['quic.cc.error_code'],
                          'sender': 'client' if client else 'server',
                          'alert': int(alert) if alert else None}
    return t


CIPHERS = {0x1301: 'TLS_AES_128_GCM_SHA256', 0x1302: 'TLS_AES_256_GCM_SHA384',
           0x1303: 'TLS_CHACHA20_POLY1305_SHA256'}


def check(name, cond, msg, errors):
    if not cond:
        errors.append(f'{name}: {msg}')


def main():
    if not shutil.which('tshark'):
        print('tshark not found: skipped')
        return 77
    tlsdiag, capdir, tsv = sys.argv[1:4]
    errors, n = [], 0
    for line in open(tsv):
        if line.startswith('#') or not line.strip():
            continue
        cap, keylog, outcome, step, by, how, diags = line.rstrip('\n').split('\t')
        pcap = os.path.join(capdir, cap + '.pcap')
        kl = os.path.join(capdir, cap + '.keylog') if keylog == 'yes' else None
        name = cap + (' (keylog)' if kl else '')
        args = [tlsdiag, '-a', '-f', 'json'] + (['--keylog', kl] if kl else []) + [pcap]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        reps = [json.loads(l) for l in out.splitlines() if l.startswith('{"ts"')]
        quic = [r for r in reps if r.get('transport') == 'quic']
        check(name, all('transport' in r for r in reps), 'a report without "transport"', errors)
        if not quic:
            errors.append(f'{name}: no QUIC report')
            continue
        r, t = quic[0], truth(tshark(pcap, kl))
        n += 1
        # The scenario's catalog row.
        check(name, r['outcome'] == outcome, f"outcome {r['outcome']} != {outcome}", errors)
        check(name, (r['failed_step'] or '-') == step, f"step {r['failed_step']} != {step}", errors)
        if by != '-':
            check(name, r['termination']['by'] == by, f"by {r['termination']} != {by}", errors)
        if how != '-':
            check(name, r['termination']['how'] == how, f"how {r['termination']} != {how}", errors)
        codes = [d['code'] for d in r['diagnosis']]
        for d in diags.split(',') if diags != '-' else []:
            check(name, d in codes, f'diagnosis {d} missing from {codes}', errors)
        # tshark's decoding.
        check(name, r['client']['port'] == t['client_port'], 'client port', errors)
        check(name, r['sni'] == t['sni'], f"sni {r['sni']} != tshark {t['sni']}", errors)
        qv = r['quic_version']
        want_v = {1: 'v1', 0x6b3343cf: 'v2'}.get(t['version'], '0x%08x' % t['version'])
        check(name, qv == want_v, f'quic_version {qv} != tshark {want_v}', errors)
        if t['cipher'] in CIPHERS:
            check(name, r['cipher'] == CIPHERS[t['cipher']], f"cipher {r['cipher']}", errors)
        if t['close']:
            c = r['quic_close']
            check(name, c is not None and not c['encrypted'], f'close missing: {c}', errors)
            if c:
                check(name, c['code'] == t['close']['code'] and c['sender'] == t['close']['sender'],
                      f"close {c} != tshark {t['close']}", errors)
            if t['close']['alert'] is not None and r['outcome'] == 'failed':
                a = r['alert']
                check(name, a and a['code'] == t['close']['alert'] and a['sender'] == t['close']['sender'],
                      f"alert {a} != tshark {t['close']}", errors)
        check(name, ('quic_version_mismatch' in codes) == t['vn'], 'VN vs quic_version_mismatch', errors)
        if t['icmp']:
            ev = ' '.join(d['evidence'] for d in r['diagnosis'] if d['code'] == 'port_unreachable')
            check(name, f'type {t["icmp"][0]} code {t["icmp"][1]}' in ev,
                  f'ICMP {t["icmp"]} not in {ev!r}', errors)
        if t['server_packets'] == 0 and not t['vn'] and not t['icmp']:
            check(name, 'quic_no_response' in codes, 'no server packet, no quic_no_response', errors)
        # The client's own log names the close it received or sent.
        logf = os.path.join(capdir, 'udp-logs', cap + '.client.txt')
        if t['close'] and os.path.exists(logf):
            want = '(0x%x)' % t['close']['code']
            check(name, want in open(logf, errors='replace').read(),
                  f'client log does not mention {want}', errors)
    for e in errors:
        print('FAIL', e)
    print(f'{n} QUIC captures checked, {len(errors)} failed')
    return 1 if errors or n == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
