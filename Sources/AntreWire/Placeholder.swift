// AntreWire: Varlink framing, io.antre.Queue types, client.
