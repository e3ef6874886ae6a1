print("optoplan-bench: no benchmarks yet")
