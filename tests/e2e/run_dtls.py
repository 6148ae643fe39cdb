#!/usr/bin/env python3
"""End to end on DTLS captures: the bundled ones of captures/generate_dtls.sh
against their catalog rows, and other projects' DTLS captures against tshark.

usage: run_dtls.py TLSDIAG CAPTURES_DIR EXPECTED_TSV
       run_dtls.py --public TLSDIAG [PUBLIC_DIR]

Bundled captures: per row of EXPECTED_TSV (the scenario: outcome, step,
termination, diagnoses) the DTLS report of the capture must match, and every
value tshark decodes must agree with the report, never tlsdiag's own output:
the client port, SNI, offered and negotiated versions, the cipher suite, JA3
and JA3S (dtls.handshake.*), the first alert sent in the clear (level,
description, sender), the number of HelloVerifyRequests and of hellos
carrying a cookie, the datagrams of the flight a retransmission diagnosis
names, the largest of them, ICMP type and code; with a capture's key log, the
close_notify tshark decrypts ends an established association by the same
side. The stacks' own output
(captures/dtls-logs/NAME.{client,server}.txt) must tell the same story: the
alert's name for an alert, a handshake that finished for an established one.

--public: for every capture under PUBLIC_DIR whose name holds "dtls" (and
the WebRTC/STUN ones of INDEX.tsv that carry DTLS), each association tshark
sees a ClientHello for has a DTLS report with tshark's SNI, offered version,
negotiated version and first clear-text alert.

Exit 77 (skipped) without tshark or the public folder.
"""
import json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
PUBLIC = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'captures-public'))
VERSIONS = {0x0100: 'DTLS 1.0 (OpenSSL pre 0.9.8f)', 0xfeff: 'DTLS 1.0', 0xfefd: 'DTLS 1.2',
            0xfefc: 'DTLS 1.3'}
# How the stacks' logs name an alert (GnuTLS's client says why it sent one).
ALERTS = {10: ('unexpected message',), 40: ('handshake failure',),
          42: ('bad certificate', 'certificate is not trusted'), 48: ('unknown ca',)}
FIELDS = ['frame.number', 'frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'udp.srcport', 'udp.dstport',
          'udp.length', 'dtls.record.content_type', 'dtls.record.epoch',
          'dtls.handshake.type', 'dtls.handshake.version',
          'dtls.handshake.extensions_server_name', 'dtls.handshake.ciphersuite',
          'dtls.handshake.extensions.supported_version', 'dtls.handshake.cookie_length',
          'dtls.alert_message.level', 'dtls.alert_message.desc', 'dtls.handshake.ja3',
          'dtls.handshake.ja3s', 'icmp.type', 'icmp.code']


def tshark(pcap, keylog=None):
    cmd = ['tshark', '-r', pcap, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a',
           '-Y', 'dtls or icmp']
    if keylog:
        cmd += ['-o', 'tls.keylog_file:' + keylog]
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split('\t') + [''] * len(FIELDS)
        rows.append({f: vals[i] for i, f in enumerate(FIELDS)})
    return rows


def last(v):
    """The innermost value of a field a tunnel repeats (GTP-U, VXLAN)."""
    return v.split(',')[-1] if v else ''


def lst(v):
    return v.split(',') if v else []


def associations(rows):
    """tshark's view, per association (client ip/port as its key): the first
    ClientHello's SNI and version, the ServerHello's version and suite, the
    first clear-text alert, HelloVerifyRequests, cookie hellos, JA3/JA3S, the
    datagrams and their sizes per side, ICMP errors."""
    assoc, icmp = {}, []
    for r in rows:
        if r['icmp.type']:
            icmp.append((int(lst(r['icmp.type'])[0]), int(lst(r['icmp.code'])[0])))
            continue
        if not r['udp.srcport']:
            continue
        src = (last(r['ip.src'] or r['ipv6.src']), int(last(r['udp.srcport'])))
        dst = (last(r['ip.dst'] or r['ipv6.dst']), int(last(r['udp.dstport'])))
        dport = dst[1]
        types, epochs = lst(r['dtls.handshake.type']), lst(r['dtls.record.epoch'])
        key = src if src in assoc else dst if dst in assoc else None
        if key is None:
            if '1' not in types or '0' not in epochs:
                continue  # no hello seen yet: not an association tshark can place
            key = src
            assoc[key] = {'server': dst, 'dport': dport, 'sni': None, 'ch_versions': None,
                          'sh_version': None, 'cipher': None, 'alert': None, 'hvr': 0,
                          'cookie_hellos': 0, 'ja3': None, 'ja3s': None,
                          'datagrams': {'client': [], 'server': []}}
        a = assoc[key]
        client = src == key
        if not client and a['server'] is None:
            a['server'] = src
        a['datagrams']['client' if client else 'server'].append(
            (float(r['frame.time_epoch']), int(last(r['udp.length'])) - 8))
        versions = lst(r['dtls.handshake.version'])
        if client and '1' in types:
            if a['sni'] is None:
                a['sni'] = lst(r['dtls.handshake.extensions_server_name'])[:1] or [None]
                a['sni'] = a['sni'][0]
                sv = lst(r['dtls.handshake.extensions.supported_version'])
                a['ch_versions'] = [int(v, 16) for v in (sv or versions[:1])]
                a['ja3'] = lst(r['dtls.handshake.ja3'])[:1] or [None]
                a['ja3'] = a['ja3'][0]
            cookies = [int(c) for c in lst(r['dtls.handshake.cookie_length'])]
            if cookies and cookies[0] > 0:
                a['cookie_hellos'] += 1
        if not client and '3' in types:
            a['hvr'] += types.count('3')
        if not client and '2' in types and a['sh_version'] is None:
            sv = lst(r['dtls.handshake.extensions.supported_version'])
            a['sh_version'] = int(sv[0] if sv else versions[0], 16)
            a['cipher'] = int(lst(r['dtls.handshake.ciphersuite'])[0], 16)
            a['ja3s'] = (lst(r['dtls.handshake.ja3s'])[:1] or [None])[0]
        if r['dtls.alert_message.desc'] and a['alert'] is None:
            # Only a clear-text alert has a level and description in tshark.
            a['alert'] = {'level': int(lst(r['dtls.alert_message.level'])[0]),
                          'code': int(lst(r['dtls.alert_message.desc'])[0]),
                          'sender': 'client' if client else 'server'}
    return assoc, icmp


def reports(tlsdiag, pcap, extra=()):
    out = subprocess.run([tlsdiag, '-a', '-T', 'json', *extra, pcap], capture_output=True,
                         text=True, timeout=300).stdout
    reps = [json.loads(l) for l in out.splitlines() if l.startswith('{"ts"')]
    return reps


def first_by_client(reps):
    ours = {}
    for r in reps:
        k = (r['client']['ip'], r['client']['port'])
        if r.get('transport') == 'dtls' and k not in ours:
            ours[k] = r
    return ours


def compare(name, r, a, errors):
    """The values a report shares with tshark's view of its association."""
    def check(cond, msg):
        if not cond:
            errors.append(f'{name}: {msg}')
    check(r['sni'] == a['sni'], f"sni {r['sni']} != tshark {a['sni']}")
    if a['ch_versions']:
        want = [VERSIONS.get(v, '0x%04x' % v) for v in a['ch_versions'] if v & 0x0f0f != 0x0a0a]
        check(r['versions_offered'] == want,
              f"versions_offered {r['versions_offered']} != tshark {want}")
    if a['sh_version']:
        want = VERSIONS.get(a['sh_version'], '0x%04x' % a['sh_version'])
        check(r['version'] == want, f"version {r['version']} != tshark {want}")
    if a['alert'] and r['alert'] and not r['alert'].get('encrypted'):
        check(r['alert']['code'] == a['alert']['code'] and
              r['alert']['sender'] == a['alert']['sender'],
              f"alert {r['alert']} != tshark {a['alert']}")
    elif a['alert'] and a['alert']['level'] == 2 and r['outcome'] != 'established':
        check(False, f"tshark sees fatal alert {a['alert']}, the report {r['alert']}")


def bundled(tlsdiag, capdir, tsv):
    errors, n = [], 0
    for line in open(tsv):
        if line.startswith('#') or not line.strip():
            continue
        cap, outcome, step, by, how, diags = line.rstrip('\n').split('\t')
        pcap = os.path.join(capdir, cap + '.pcap')
        name = cap
        reps = reports(tlsdiag, pcap, ['--ca-file', os.path.join(capdir, 'pki', 'ca.pem')])
        dtls = [r for r in reps if r.get('transport') == 'dtls']
        if not dtls:
            errors.append(f'{name}: no DTLS report')
            continue
        r = dtls[0]
        assoc, icmp = associations(tshark(pcap))
        n += 1

        def check(cond, msg):
            if not cond:
                errors.append(f'{name}: {msg}')
        # The scenario's catalog row.
        check(r['outcome'] == outcome, f"outcome {r['outcome']} != {outcome}")
        check((r['failed_step'] or '-') == step, f"step {r['failed_step']} != {step}")
        if by != '-':
            check(r['termination']['by'] == by, f"by {r['termination']} != {by}")
        if how != '-':
            check(r['termination']['how'] == how, f"how {r['termination']} != {how}")
        codes = [d['code'] for d in r['diagnosis']]
        for d in diags.split(',') if diags != '-' else []:
            check(d in codes, f'diagnosis {d} missing from {codes}')
        check(len(dtls) == 1, f'{len(dtls)} DTLS reports for one association')
        # tshark's decoding.
        key = (r['client']['ip'], r['client']['port'])
        a = assoc.get(key)
        if not a:
            errors.append(f'{name}: tshark sees no association from {key}')
            continue
        check(r['server']['port'] == a['dport'], 'server port')
        compare(name, r, a, errors)
        if a['cipher'] is not None:
            ours = r['cipher']
            check(ours is not None, f"no cipher, tshark 0x{a['cipher']:04x}")
        if a['ja3']:
            check(r['ja3'] == a['ja3'], f"ja3 {r['ja3']} != tshark {a['ja3']}")
        if a['ja3s']:
            check(r['ja3s'] == a['ja3s'], f"ja3s {r['ja3s']} != tshark {a['ja3s']}")
        check(r['ja4'].startswith('dd'), f"ja4 {r['ja4']} lacks the DTLS prefix")
        for d in r['diagnosis']:
            f = d.get('facts', {})
            if d['code'] == 'dtls_cookie_exchange_failed':
                check(f.get('hello_verify_requests') == a['hvr'],
                      f"HelloVerifyRequests {f.get('hello_verify_requests')} != tshark {a['hvr']}")
                check(f.get('cookie_hellos') == a['cookie_hellos'],
                      f"cookie hellos {f.get('cookie_hellos')} != tshark {a['cookie_hellos']}")
            if d['code'] == 'dtls_retransmission_timeout':
                side = f.get('flight_sender')
                sizes = [s for _, s in a['datagrams'].get(side, [])]
                check(sizes and f.get('largest_datagram') == max(sizes),
                      f"largest datagram {f.get('largest_datagram')} != tshark's "
                      f"{max(sizes) if sizes else None} from the {side}")
                if side == 'client' and not a['datagrams']['server']:
                    # every client datagram is a copy of its one hello
                    check(f.get('flight_sendings') == len(sizes),
                          f"sendings {f.get('flight_sendings')} != tshark {len(sizes)}")
            if d['code'] == 'port_unreachable':
                check(icmp and f'type {icmp[0][0]} code {icmp[0][1]}' in d['evidence'],
                      f'ICMP {icmp[:1]} not in {d["evidence"]!r}')
        # With the client's key log tshark reads the protected alerts: the
        # first one after an established handshake is the close_notify
        # that ended it, whose sender the report names (tlsdiag does not
        # decrypt DTLS: it knows an alert record only by its type).
        kl = os.path.join(capdir, cap + '.keylog')
        if outcome == 'established' and os.path.exists(kl):
            closes = [(float(x['frame.time_epoch']), x) for x in tshark(pcap, kl)
                      if x['dtls.alert_message.desc'] and '1' in lst(x['dtls.record.epoch'])]
            if closes:
                x = closes[0][1]
                sender = 'client' if (last(x['ip.src'] or x['ipv6.src']),
                                      int(last(x['udp.srcport']))) == key else 'server'
                check(lst(x['dtls.alert_message.desc'])[0] == '0' and
                      r['termination'] == {'by': sender, 'how': 'close'},
                      f"termination {r['termination']}, tshark decrypts alert "
                      f"{x['dtls.alert_message.desc']} from the {sender} first")
        # The stacks' own account.
        logs = ''
        for side in ('client', 'server'):
            p = os.path.join(capdir, 'dtls-logs', f'{cap}.{side}.txt')
            if os.path.exists(p):
                logs += open(p, errors='replace').read().lower()
        if a['alert'] and a['alert']['code'] in ALERTS:
            words = ALERTS[a['alert']['code']]
            check(any(w in logs for w in words),
                  f"the stacks' logs say none of {words} (alert {a['alert']['code']})")
        if outcome == 'established':
            check('hello from the tlsdiag dtls client' in logs or 'handshake was completed' in logs,
                  "the stacks' logs do not show a completed handshake")
    for e in errors:
        print('FAIL', e)
    print(f'{n} DTLS captures checked, {len(errors)} failed')
    return 1 if errors or n == 0 else 0


def public(tlsdiag, root):
    if not os.path.isdir(root):
        print('no public captures: skipped')
        return 77
    pcaps = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                   if ('dtls' in f.lower() or f in ('stun.pcap', 'webrtc-stun.pcap'))
                   and f.endswith(('.pcap', '.pcapng', '.cap')))
    errors, n = [], 0
    for p in pcaps:
        name = os.path.relpath(p, root)
        assoc, _ = associations(tshark(p))
        ours = first_by_client(reports(tlsdiag, p))
        for key, a in assoc.items():
            n += 1
            r = ours.get(key)
            if not r:
                errors.append(f'{name}: {key}: no DTLS report (tshark SNI {a["sni"]})')
                continue
            compare(f'{name} {key}', r, a, errors)
    for e in errors:
        print('FAIL', e)
    print(f'{len(pcaps)} public DTLS captures, {n} associations with a ClientHello, '
          f'{len(errors)} disagreements')
    return 1 if errors or n == 0 else 0


def main():
    if not shutil.which('tshark'):
        print('tshark not found: skipped')
        return 77
    if sys.argv[1] == '--public':
        return public(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else PUBLIC)
    return bundled(*sys.argv[1:4])


if __name__ == '__main__':
    sys.exit(main())
