// AntreDaemon: dispensers, spoolers, control socket.
