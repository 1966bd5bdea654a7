print("portsentry-ctl")
