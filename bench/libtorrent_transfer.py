#!/usr/bin/python3
"""One seed to one leech with libtorrent (Debian's python3-libtorrent), on loopback, over TCP.

The peer side of bench/compare's transfer figure: two libtorrent sessions in this process, each
with its own listen port on 127.0.0.1, no DHT, LSD, UPnP, NAT-PMP or uTP, no encryption (libtorrent
would negotiate RC4 obfuscation otherwise). A file of random bytes is created, hashed into a
torrent (v1, 1 MiB pieces by default), seeded by one session and downloaded by the other, which is
told the seed's address directly. The time runs from adding the torrent to the leech until the
leech reports it finished; every piece is SHA-1-checked by libtorrent as it arrives. Prints
"BENCH libtorrent_transfer_mb_per_sec <v> MB/s" (MB = 10^6 bytes) and
"BENCH libtorrent_transfer_cpu_seconds_per_gb <v> s/GB" (CPU time of the process, both sessions) and stops by itself.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

try:
    import libtorrent as lt
except ImportError:
    sys.exit("libtorrent_transfer: no Python module libtorrent; on Debian: apt-get install python3-libtorrent "
             "(and run this with /usr/bin/python3)")


def session(port):
    settings = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.disabled,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        # Loopback is not a slow remote peer: let the pipes be deep.
        "max_out_request_queue": 1500,
        "max_allowed_in_request_queue": 2000,
        "send_buffer_watermark": 16 * 1024 * 1024,
        "send_buffer_low_watermark": 1024 * 1024,
        "send_buffer_watermark_factor": 150,
    }
    return lt.session(settings)


def wait_for(predicate, deadline, what):
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit("libtorrent_transfer: timed out waiting for " + what)
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="file size in MiB (256)")
    parser.add_argument("--piece-kib", type=int, default=1024, help="piece size in KiB (1024)")
    parser.add_argument("--repetitions", type=int, default=3, help="measured downloads, median reported (3)")
    parser.add_argument("--deadline", type=int, default=300, help="give up after this many seconds (300)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.deadline

    work = tempfile.mkdtemp(prefix="chorus-libtorrent-")
    try:
        seed_dir = os.path.join(work, "seed")
        os.makedirs(seed_dir)
        path = os.path.join(seed_dir, "track.bin")
        with open(path, "wb") as f:
            for _ in range(args.mib):
                f.write(os.urandom(1 << 20))
        fs = lt.file_storage()
        lt.add_files(fs, path)
        torrent = lt.create_torrent(fs, args.piece_kib * 1024, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(torrent, seed_dir)
        info = lt.torrent_info(torrent.generate())

        seed = session(0)
        seed_handle = seed.add_torrent({"ti": info, "save_path": seed_dir})
        wait_for(lambda: seed_handle.status().is_seeding, deadline, "the seed to check its file")
        seed_port = seed.listen_port()

        rates = []
        cpu_per_gb = []
        for run in range(args.repetitions + 1):  # the first run warms up, unreported
            leech_dir = os.path.join(work, "leech%d" % run)
            os.makedirs(leech_dir)
            leech = session(0)
            start = time.monotonic()
            cpu_start = time.process_time()  # both sessions and their threads: one process
            handle = leech.add_torrent({"ti": info, "save_path": leech_dir})
            handle.connect_peer(("127.0.0.1", seed_port))
            wait_for(lambda: handle.status().is_seeding, deadline, "the leech to finish")
            seconds = time.monotonic() - start
            cpu = time.process_time() - cpu_start
            rate = info.total_size() / seconds / 1e6
            print("libtorrent %s: %d MiB in %.2f s = %.0f MB/s; CPU %.2f s of the process (%.2f s/GB; load average %s)" % (
                "warm-up" if run == 0 else "run %d" % run, args.mib, seconds, rate, cpu,
                cpu / (info.total_size() / 1e9), " ".join("%.2f" % x for x in os.getloadavg())), flush=True)
            if run > 0:
                rates.append(rate)
                cpu_per_gb.append(cpu / (info.total_size() / 1e9))
            leech.remove_torrent(handle)
            del leech
            shutil.rmtree(leech_dir)
        rates.sort()
        print("BENCH libtorrent_transfer_mb_per_sec %.0f MB/s" % rates[len(rates) // 2])
        cpu_per_gb.sort()
        print("BENCH libtorrent_transfer_cpu_seconds_per_gb %.2f s/GB" % cpu_per_gb[len(cpu_per_gb) // 2])
        print("libtorrent version %s" % lt.__version__)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
