import PredictorCore
import ArgumentParser
import Foundation
import PredictorEngine
import PredictordConfig
import PredictordState

/// `predictord inspect`: print what a state directory's checkpoint holds, without modifying it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the slow memory (models and their parameters) and the contexts saved in a state directory."
    )

    @Argument(help: "State directory (state.directory; /var/lib/predictord under systemd).")
    var directory: String

    /// The journal segments (`state.journal`), read-only: each one's messages, whether it follows this checkpoint
    /// (then the next start replays it), and any torn tail (which the next start cuts).
    private func printJournal(after checkpoint: Checkpoint) {
        let journal = JournalDirectory(directory: directory)
        let seqs = journal.segments()
        guard !seqs.isEmpty else { return }
        print("journal: \(seqs.count) segment(s)")
        for seq in seqs {
            guard let reader = try? JournalSegmentReader(path: journal.path(seq: seq)) else {
                print("  \(journal.path(seq: seq)): not a readable journal segment")
                continue
            }
            var messages = 0, batches = 0
            while let record = reader.next() {
                batches += 1
                if record.kind == .messages { messages += record.count }
            }
            let follows = reader.header.base?.bitPattern == checkpoint.createdAt.bitPattern
                ? "follows this checkpoint" : reader.header.previous != nil ? "continues segment \(reader.header.previous!.seq)" : "follows another checkpoint"
            let torn = reader.tornBytes > 0 ? "; \(reader.tornBytes) byte(s) of a torn tail" : ""
            print("  \(journal.path(seq: seq)): \(messages) message(s) in \(batches) batch(es), \(follows)\(torn)")
        }
    }

    func run() throws {
        let file = try CheckpointFile(directory: directory)
        let (path, checkpoint) = (file.path, file.checkpoint)
        let written = Date(timeIntervalSince1970: checkpoint.createdAt)
        let age = Int(Date().timeIntervalSince(written))
        print("checkpoint: \(path)")
        print("format: \(checkpoint.formatVersion), \(file.size) bytes, written \(written) (\(age) s ago)")
        var perModel: [Int: Int] = [:]
        for context in checkpoint.contexts { perModel[context.modelIndex, default: 0] += 1 }
        print("contexts: \(checkpoint.contexts.count)")
        printJournal(after: checkpoint)
        if !checkpoint.priorLearners.isEmpty {
            print("learned slow memory:")
            for (name, learner) in checkpoint.priorLearners.sorted(by: { $0.key < $1.key }) {
                print("  \(name): prior_mean \(learner.mean) from \(learner.contributions) context(s)")
            }
        }
        printHMMLearners(checkpoint.hmmLearners, segments: checkpoint.hmmContexts, title: "learned HMMs")
        printHMMLearners(checkpoint.gaussianLearners, segments: checkpoint.gaussianContexts, title: "learned Gaussian HMMs")
        if !checkpoint.softmaxLearners.isEmpty {
            print("learned softmax β (online gradient on the prequential squared error):")
            for (name, model) in checkpoint.softmaxLearners.sorted(by: { $0.key < $1.key }) {
                print("  \(name): beta \(model.published) from \(model.contexts) context(s), \(model.steps) step(s), \(model.publications) publication(s)")
            }
        }
        print("models:")
        for (index, model) in checkpoint.models.enumerated() {
            let contexts = perModel[index] ?? 0
            do {
                let spec = try model.decodeSpec()
                print("  # \(contexts) context(s)")
                for line in ConfigurationRenderer.modelLines(ModelDefinition(name: model.name, match: "", spec: spec))
                where !line.hasPrefix("    match:") && !line.hasPrefix("    learn") {
                    print(line)
                }
                // A checkpoint keeps the parameters and the learned slow memory, not the learn_* options: a model
                // learns iff the checkpoint holds learned slow memory for it (a learner exists once a context taught it).
                let learns = checkpoint.learners[model.name] != nil
                print(learns ? "    learn: true  # learned slow memory above; learn_* options are not saved in checkpoints"
                             : "    # learn: no learned slow memory saved (learn: false, or nothing learned yet)")
                if case let .auto(bank) = spec { printLeaders(bank, spec: spec, model: index, checkpoint: checkpoint) }
            } catch {
                print("  \(model.name): undecodable parameters (\(error))")
            }
        }
    }

    /// The online-EM learners of one HMM family: counters and the published parameters, by configuration key.
    private func printHMMLearners<L>(_ learners: [String: EMModelLearner<L>], segments: [CheckpointSegmentContext<L.Element>],
                                     title: String) {
        guard !learners.isEmpty else { return }
        print("\(title) (online EM; the published parameters every context of the model filters with):")
        for (name, model) in learners.sorted(by: { $0.key < $1.key }) {
            let collecting = segments.count { $0.learner == model.serial }
            print("  \(name): from \(model.learner.contexts) context(s), \(model.learner.contributions) segment(s), "
                  + "\(model.publications) publication(s); \(collecting) context(s) collecting a segment")
            for (key, values) in L.entries(of: model.published) { print("    \(key): \(values)") }
        }
    }

    /// For an `auto` model: which bank members lead its contexts (largest weight), most frequent first.
    private func printLeaders(_ bank: ForecastBankParameters, spec: ModelSpec, model: Int, checkpoint: Checkpoint) {
        var leads = [Int](repeating: 0, count: bank.members.count)
        for context in checkpoint.contexts where context.modelIndex == model {
            guard case let .auto(box)? = try? spec.restorePredictor(state: context.state) else { continue }
            let w = box.value.weights
            if let top = w.indices.max(by: { w[$0] < w[$1] }) { leads[top] += 1 }
        }
        let ranked = leads.indices.filter { leads[$0] > 0 }.sorted { leads[$0] > leads[$1] }
        guard !ranked.isEmpty else { return }
        print("    # leading members (contexts): " + ranked.prefix(5).map { "\($0) \(bank.labels[$0]) (\(leads[$0]))" }.joined(separator: "; "))
    }
}
