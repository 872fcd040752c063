"""Runs one whole job as a child process and measures it from outside: wall time and resident memory.

Samples /proc/PID/status every --interval seconds: VmRSS (what a node's memory budget sees), split into RssAnon
(heaps, tensors, allocator caches) and RssFile (mapped libraries such as libtorch_cpu.so), and keeps the peak of
each; the kernel's own high-water mark (VmHWM) is read at the last sample, so a peak between samples still counts.
When the child prints StableSnn progress lines (JSON with "phase") on stdout, the peak per phase is reported too,
which is how bench/README.md attributes the trainer's memory. Prints one JSON object; the child's stdout JSON
(the PyTorch job's summary, or the trainer's last progress line) is included as "child".
Usage: measure_job.py [--interval 0.1] [--label NAME] -- COMMAND ARGS...
"""
import argparse, json, subprocess, sys, threading, time


def status(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    fields[key] = int(value.split()[0]) / 1024  # kB -> MB
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--label", default="job")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        sys.exit("measure_job.py: give the command after --")

    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    phase, last_json, lines = "start", None, []
    peaks, by_phase, hwm = {"VmRSS": 0.0, "RssAnon": 0.0, "RssFile": 0.0}, {}, 0.0

    def read_stdout():
        nonlocal phase, last_json
        for line in child.stdout:
            lines.append(line)
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            last_json = obj
            if isinstance(obj, dict) and "phase" in obj:
                phase = obj["phase"]

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    while child.poll() is None:
        s = status(child.pid)
        if s:
            for key in peaks:
                peaks[key] = max(peaks[key], s.get(key, 0.0))
            by_phase[phase] = max(by_phase.get(phase, 0.0), s.get("VmRSS", 0.0))
            hwm = max(hwm, s.get("VmHWM", 0.0))
        time.sleep(a.interval)
    reader.join()
    wall = time.perf_counter() - start
    if child.returncode != 0:
        sys.stderr.write("".join(lines[-20:]))
        sys.exit(f"{a.label}: exited with {child.returncode}")
    print(json.dumps({
        "label": a.label, "wall_seconds": round(wall, 2), "peak_rss_mb": round(max(hwm, peaks["VmRSS"]), 1),
        "peak_anon_mb": round(peaks["RssAnon"], 1), "peak_file_mb": round(peaks["RssFile"], 1),
        "peak_rss_by_phase_mb": {k: round(v, 1) for k, v in by_phase.items()}, "child": last_json,
    }))


if __name__ == "__main__":
    main()
