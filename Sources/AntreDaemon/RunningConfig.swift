import AntreCore
import Foundation
import Synchronization

/// The configuration in force, its access policy and the pipeline serving
/// each dispenser. The runtime swaps them on a reload; everyone else reads.
final class RunningConfig: Sendable {
    struct State {
        var config: AntreConfig
        var policy: AccessPolicy
        var pipelines: [String: DispenserPipeline] = [:]
    }

    private let state: Mutex<State>

    init(config: AntreConfig, policy: AccessPolicy) {
        state = Mutex(State(config: config, policy: policy))
    }

    var config: AntreConfig { state.withLock { $0.config } }
    var policy: AccessPolicy { state.withLock { $0.policy } }

    func pipeline(_ dispenserID: String) -> DispenserPipeline? { state.withLock { $0.pipelines[dispenserID] } }

    /// Sorted by dispenser id.
    var pipelines: [DispenserPipeline] {
        state.withLock { Array($0.pipelines.values) }.sorted { $0.dispenserID < $1.dispenserID }
    }

    /// Changes the state in one step; returns what `change` returns.
    func update<T: Sendable>(_ change: (inout State) -> T) -> T { state.withLock { change(&$0) } }
}
