"""python -m bench: run the index benchmarks in turn (each prints its own figures)."""

from bench import ask_latency, build_speed, scale, search_latency

if __name__ == "__main__":
    print("== build speed ==")
    build_speed.main()
    print("== search latency ==")
    search_latency.main()
    print("== ask latency ==")
    ask_latency.main()
    print("== scale (100,000 chunks) ==")
    scale.main()
