"""Shared bits of the tshark cross-checks (run_streams.py, run_fields.py, run_stats.py)."""
import glob, os, shutil


def captures(folder):
    """The capture files of a folder (*.pcap, *.pcapng), sorted."""
    return sorted(glob.glob(os.path.join(folder, "*.pcap")) +
                  glob.glob(os.path.join(folder, "*.pcapng")))


def parse_or_skip(ap, tools=("tshark",)):
    """Parses the arguments; None (after the skip lines) when a tool is missing:
    the caller returns 77, meson's "skipped"."""
    a = ap.parse_args()
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        print("%s not found: skipped" % " and ".join(missing))
        print("0 passed, 0 failed")
        return None
    return a
