import AntreCore
import Foundation

/// Turns the tickets and missed presses of a range into report figures.
struct ReportBuilder {
    var timeZone: TimeZone

    private struct Accumulator {
        var figures: ReportFigures
        var waits: [Double] = []
        var services: [Double] = []
        var priorityIssued = 0
        init(id: String) { figures = ReportFigures(id: id) }

        func finished() -> ReportFigures {
            var result = figures
            if figures.issued > 0 { result.priorityShare = Double(priorityIssued) / Double(figures.issued) }
            result.wait = DurationStats(samples: waits)
            result.service = DurationStats(samples: services)
            return result
        }
    }

    private struct HourKey: Hashable { var service: String?; var hour: Int }
    private struct HourSums { var arrivals = 0, waited = 0; var waitSum = 0.0 }

    func build(from: LocalDay, to: LocalDay, tickets: [ReportTicket], missed: [MissedFigure]) -> QueueReport {
        var total = Accumulator(id: "")
        var services: [String: Accumulator] = [:]
        var counters: [String: Accumulator] = [:]
        var hours: [HourKey: HourSums] = [:]
        var offsets: [String: Int] = [:]

        // In place: copying an accumulator out and back would copy its
        // sample arrays on every ticket (quadratic over a year).
        func update(_ id: String, in table: inout [String: Accumulator], _ change: (inout Accumulator) -> Void) {
            change(&table[id, default: Accumulator(id: id)])
        }

        for ticket in tickets {
            let wait = ticket.firstCall.map { max(0, $0 - ticket.issuedAt) }
            let serviceTime: Double? = if ticket.state == .served, let called = ticket.calledAt,
                                          let finished = ticket.finishedAt { max(0, finished - called) } else { nil }
            // Where the number was taken: issued, transferred away, wait.
            func issuedSide(_ a: inout Accumulator) {
                a.figures.issued += 1
                if ticket.priority { a.priorityIssued += 1 }
                if ticket.transferred { a.figures.transferred += 1 }
                if let wait {
                    a.figures.called += 1
                    a.waits.append(wait)
                }
            }
            // Where it ended: served, skipped, expired, service time.
            func endSide(_ a: inout Accumulator) {
                switch ticket.state {
                case .served: a.figures.served += 1
                case .skipped: a.figures.skipped += 1
                case .expired: a.figures.expired += 1
                case .waiting, .called: break
                }
                if let serviceTime { a.services.append(serviceTime) }
            }
            issuedSide(&total)
            endSide(&total)
            update(ticket.issuedService, in: &services, issuedSide)
            update(ticket.service, in: &services, endSide)
            if let counter = ticket.counter {
                update(counter, in: &counters) { a in
                    a.figures.called += 1
                    if let wait { a.waits.append(wait) }
                    endSide(&a)
                }
            }
            if let from = ticket.transferCounter {
                update(from, in: &counters) { $0.figures.transferred += 1 }
            }

            let offset = offsets[ticket.day] ?? {
                let start = LocalDay(ticket.day)?.start(in: timeZone) ?? Date(timeIntervalSince1970: ticket.issuedAt)
                let seconds = timeZone.secondsFromGMT(for: start)
                offsets[ticket.day] = seconds
                return seconds
            }()
            let local = Int((ticket.issuedAt + Double(offset)).rounded(.down))
            let hour = ((local % 86_400) + 86_400) % 86_400 / 3_600
            for key in [HourKey(service: nil, hour: hour), HourKey(service: ticket.issuedService, hour: hour)] {
                var sums = hours[key] ?? HourSums()
                sums.arrivals += 1
                if let wait {
                    sums.waited += 1
                    sums.waitSum += wait
                }
                hours[key] = sums
            }
        }
        for figure in missed {
            total.figures.missed += figure.count
            update(figure.service, in: &services) { $0.figures.missed += figure.count }
        }
        let hourRows = hours.map { key, sums in
            HourFigures(service: key.service, hour: key.hour, arrivals: sums.arrivals,
                        meanWait: sums.waited == 0 ? 0 : sums.waitSum / Double(sums.waited))
        }.sorted { ($0.service ?? "", $0.hour) < ($1.service ?? "", $1.hour) }
        return QueueReport(
            from: from.description, to: to.description, total: total.finished(),
            services: services.keys.sorted().compactMap { services[$0]?.finished() },
            counters: counters.keys.sorted().compactMap { counters[$0]?.finished() },
            missed: missed, hours: hourRows)
    }
}
