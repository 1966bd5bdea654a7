print("bench-capture: not written yet")
