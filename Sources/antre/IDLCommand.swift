import AntreWire
import ArgumentParser

/// `antre idl`: the io.antre.Queue interface description, without a running
/// antred. The text lives once, in QueueInterface.idl; `make install` writes
/// it to share/varlink/io.antre.Queue.varlink with this command.
struct IDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idl",
        abstract: "Print the Varlink interface description of io.antre.Queue.",
        discussion: "The same text antred returns for org.varlink.service.GetInterfaceDescription.")

    func run() {
        print(QueueInterface.idl, terminator: "")
    }
}
