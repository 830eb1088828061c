import ArgumentParser

/// Entry point: a streaming online-prediction daemon and its offline tools.
@main
struct Predictord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predictord",
        abstract: "Streaming online prediction over ZeroMQ: RLS attention, softmax attention, HMM forward and dual filters.",
        version: PredictordVersion.current,
        subcommands: [RunCommand.self, ReplayCommand.self, CheckConfigCommand.self, InspectCommand.self, ExplainCommand.self, PublishCommand.self, TailCommand.self, KeygenCommand.self]
    )
}
