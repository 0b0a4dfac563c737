/// The `io.antre.Queue` interface description. This constant is what
/// `org.varlink.service.GetInterfaceDescription` returns; the file
/// `io.antre.Queue.varlink` next to it holds the same text (a test keeps them
/// equal) so generic Varlink tools can read it without running the daemon.
public enum QueueInterface {
    /// The interface name.
    public static let name = "io.antre.Queue"

    /// The IDL text.
    public static let idl = """
# Antre: the ticket queue of a village office (kantor desa).
# Residents take numbered tickets at dispensers; officers call them at
# counters (loket). Numbers look like "B-012": service prefix, dash, three
# digits, restarting every local day. Times are ISO 8601 strings with the
# office's UTC offset ("2026-11-28T10:32:05+07:00").
# No method upgrades the connection: a call with "upgrade": true is refused
# with org.varlink.service.InvalidParameter (parameter "upgrade").
interface io.antre.Queue

# One ticket of today's queue.
type Ticket (
  # "B-012"
  number: string,
  # Id of the service it waits for now (changes on transfer).
  service: string,
  # Name of that service as printed ("KTP-el").
  service_name: string,
  state: (waiting, called, served, skipped, expired),
  # Counter id while called, and the last counter once served or skipped.
  counter: ?string,
  # Whether the paper reached the resident. unconfirmed: antred stopped
  # while it printed, so nobody knows; an officer confirms or reprints it.
  print_state: (pending, printed, print_failed, unconfirmed, none),
  issued_at: string,
  called_at: ?string,
  # Times called, recalls included.
  call_count: int,
  # Tickets of the same service waiting before this one (waiting tickets only).
  ahead: ?int
)

# Today's numbers of one service.
type ServiceStatus (
  service: string,
  name: string,
  prefix: string,
  waiting: int,
  issued: int,
  served: int,
  skipped: int,
  # The last number issued today.
  last_number: ?string
)

# One counter (loket) and the ticket it is serving.
type CounterStatus (
  counter: string,
  name: string,
  # Services it calls; empty means all.
  services: []string,
  current: ?Ticket
)

# The printer of one dispenser.
type PrinterStatus (
  dispenser: string,
  # "usb:0416:5011", "tcp:192.168.1.50:9100", "serial:/dev/ttyUSB0"...
  connection: string,
  # ready, warning (e.g. paper near end: print, but tell the officers),
  # down (paper out, cover open, offline, unreachable: presses take no number)
  # or unknown (the connection cannot report status; prints still go out).
  state: string,
  detail: ?string,
  # Presses refused today because the printer was down (no number taken).
  missed_presses: int,
  # Presses since antred started that could not be recorded because the
  # database cannot be written (disk full, read-only, I/O error); counted
  # in memory, since the disk may be full.
  unrecorded_presses: int,
  # Tickets that failed to print and will be reprinted once when it is back.
  pending_reprints: int
)

# A USB printer the daemon can see (printer class), for setting up dispensers.
type UsbPrinter (
  # What to put in a dispenser's printer = "..." ("usb:0416:5011?serial=X").
  connection: string,
  # "0416:5011".
  id: string,
  bus: int,
  address: int,
  serial: ?string,
  manufacturer: ?string,
  product: ?string,
  interface: int,
  # Endpoint addresses as found in the descriptors ("0x01"); no IN: status unknown.
  out_endpoint: string,
  in_endpoint: ?string,
  # The dispensers whose printer is this device.
  used_by: []string
)

# The daemon itself, for monitoring and benchmarks.
type DaemonInfo (
  version: string,
  started_at: string,
  # Durable (fsync'd) database transactions since start.
  db_commits: int,
  # The last failure to write the database, with its time; none since start
  # when absent.
  storage_error: ?string
)

# Figures of a report over a range of local days.
type Report (
  # First and last local day, both included ("2026-11-01").
  from: string,
  to: string,
  # All services together (id "").
  total: ReportFigures,
  # Per service, in the configuration's order: issued where the number was
  # taken; served, skipped, expired and service time where it ended.
  services: []ReportFigures,
  # Per counter: the tickets it called last.
  counters: []ReportFigures,
  # Presses that took no number, per service and reason.
  missed: []MissedFigure,
  # Arrivals and mean wait per local hour of day.
  hours: []HourFigures
)

# The figures of one service or counter. Times in seconds.
type ReportFigures (
  id: string,
  name: ?string,
  issued: int,
  # Tickets called at least once.
  called: int,
  served: int,
  # Called, the resident did not come.
  skipped: int,
  # Still waiting or called when their day ended.
  expired: int,
  # Services: taken here and moved to another service. Counters: sent on.
  transferred: int,
  # Presses that took no number (printer down).
  missed: int,
  # Share of priority tickets, 0..1 (0 until priority tickets exist).
  priority_share: float,
  # Issue -> first call.
  wait: DurationStats,
  # Last call -> served.
  service: DurationStats
)

# Durations in seconds: median of an even count is the mean of the two
# middle ones; p90 is the nearest-rank 90th percentile. All 0 when count is 0.
type DurationStats (
  count: int,
  mean: float,
  median: float,
  p90: float,
  max: float
)

type MissedFigure (
  service: string,
  reason: string,
  count: int
)

# One local hour of day (0-23) over the range; service absent: all services.
type HourFigures (
  service: ?string,
  hour: int,
  arrivals: int,
  # Mean issue -> first call of the arrivals that were called, seconds.
  mean_wait: float
)

# A change in the queue, as streamed by Monitor.
type Event (
  # issued, called, recalled, skipped, served, transferred, expired, printed,
  # print_failed, print_unconfirmed (antred stopped while it printed),
  # reprint_requested, missed_press (a press refused, no number taken),
  # printer (a printer changed state) or reloaded (the configuration was
  # reloaded).
  kind: string,
  at: string,
  number: ?string,
  service: ?string,
  counter: ?string,
  counter_name: ?string,
  # Free text: transfer source, failure reason, printer state...
  detail: ?string,
  # The ticket after the change.
  ticket: ?Ticket,
  # The dispenser concerned (missed_press, printer).
  dispenser: ?string
)

# The USB printers connected to this machine, and which dispenser uses each.
method ListPrinters() -> (usb: []UsbPrinter)

# Issues a ticket for a service and prints it: on the given dispenser, else on
# the dispenser with a button for the service, else on the first dispenser
# (no paper when no dispenser is configured).
method Issue(service: string, dispenser: ?string) -> (ticket: Ticket, ahead: int, printed: bool)

# Calls the next waiting ticket to a counter, from the given services or from
# all the services of that counter. waiting: tickets still waiting for those
# services after this call.
method CallNext(counter: string, services: ?[]string) -> (ticket: Ticket, counter_name: string, waiting: ?int)

# Calls a ticket again: the one called at the counter, or the given number.
method Recall(counter: ?string, number: ?string) -> (ticket: Ticket, counter_name: ?string)

# Marks a called ticket as skipped (the resident did not come).
method Skip(counter: ?string, number: ?string) -> (ticket: Ticket)

# Marks a called ticket as served.
method Finish(counter: ?string, number: ?string) -> (ticket: Ticket)

# Moves a ticket to another service's queue; it keeps its number.
method Transfer(number: string, service: string) -> (ticket: Ticket)

# Prints a ticket again on the dispenser that issued it.
method Reprint(number: string) -> (ticket: Ticket)

# The resident has the paper of a ticket whose printing was not confirmed
# (or failed): marks it printed. Changes nothing on a printed ticket.
method ConfirmPrinted(number: string) -> (ticket: Ticket)

# One of today's tickets, with how many wait before it ("ahead", while waiting);
# for the phone page of the waiting-room board. Reader rights.
method GetTicket(number: string) -> (ticket: Ticket)

# Today's queue, counters and printers.
method Status() -> (
  day: string,
  office: string,
  services: []ServiceStatus,
  counters: []CounterStatus,
  printers: []PrinterStatus,
  print_failed: []Ticket,
  # Today's tickets whose printing was interrupted by a stop of antred:
  # ask the resident, then ConfirmPrinted or Reprint.
  unconfirmed: []Ticket,
  daemon: ?DaemonInfo
)

# Streams every change from now on; call with "more": true. Every reply has
# "continues": true; the connection closes when antred stops. A client that
# does not keep up is dropped with MonitorTooSlow.
method Monitor() -> (event: Event)

# Figures over local days from..to (both included, "YYYY-MM-DD"; absent:
# today in the office's time zone) from the journal: issued, served, waiting
# and service times per service, counter and hour of day. Read from a
# snapshot: presses go on while it runs.
method Report(from: ?string, to: ?string) -> (report: Report)

# Reads the configuration file again.
method Reload() -> ()

# No ticket is waiting for the counter's services.
error NoTicketWaiting (counter: string, services: []string)

error TicketNotFound (number: string)

error ServiceNotFound (service: string)

error CounterNotFound (counter: string)

# The action does not apply in the ticket's current state.
error InvalidState (number: string, state: string, action: string)

# No ticket is called at the counter.
error NothingCalled (counter: string)

error NotPrintable (number: string, reason: string)

# The dispenser's printer is down (paper out, cover open, unreachable); no
# number was taken.
error PrinterDown (dispenser: string, reason: string)

# The queue database cannot be written (disk full, read-only, I/O error,
# file deleted); nothing was recorded. A press gets a notice on paper.
error StorageFailed (reason: string)

# Only a ticket whose printing is unconfirmed (or failed) can be confirmed.
error NotConfirmable (number: string, print_state: string)

# The ticket called by number waits for a service this counter does not serve.
error NotServedAtCounter (number: string, service: string, counter: string)

# The configuration file has errors; the running configuration is kept.
error ConfigInvalid (issues: []string)

# The caller may not use this method.
error PermissionDenied (method: string)

error InternalError (message: string)

# This Monitor client fell more than `limit` events behind (it is not reading
# its socket); the stream ends and the connection closes. Call Monitor again
# and Status to catch up.
error MonitorTooSlow (limit: int)

# No connection slot is free for this caller (the server is full, or this
# user already holds `limit` connections); sent just before closing.
error TooManyConnections (limit: int)

"""
}
