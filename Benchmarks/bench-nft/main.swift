print("bench-nft: not written yet")
