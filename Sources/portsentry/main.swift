print("portsentry")
