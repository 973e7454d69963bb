import AreaflowCore
import Dispatch
import Foundation
import Logging
import Metrics

/// `http://…` or `https://…` in `run`: a GTFS-Realtime feed fetched every `input.poll_every`.
///
/// - Conditional requests: `If-None-Match` with the last `ETag`, `If-Modified-Since` with the last `Last-Modified`;
///   a 304, or a body identical to the last one (same length and hash), is nothing new.
/// - A fetch is abandoned after one poll interval (at least 1 s, at most 30 s). A failed fetch (unreachable host,
///   refused connection, timeout, an HTTP status other than 200 and 304, a body whose compression is corrupt) is
///   logged with the reason, counted (`gtfs_rt.fetch_errors` in the summary, `areaflow_feed_fetch_errors_total`), and
///   the next fetch waits twice as long as the last, up to `max(poll_every, 60 s)`; a success resets it. The source
///   never gives up. A body that is not a FeedMessage is a `malformed` reject like a corrupt archive.
/// - Each body is a stream of its own (compression detected from its bytes) whose vehicle positions go through the
///   run's `PositionMemory`, so a FULL_DATASET feed that repeats positions hands each on once; line numbers run on
///   across bodies.
/// - A feed that brings nothing new leaves the input without data, so it goes idle after `idle_timeout` like a quiet
///   file and the watermark follows the clock. For `run --once` the source is exhausted once a fetch brought nothing
///   new (or failed).
///
/// A feed cannot be read again from a position, so the source has no positions; what a restart needs is the position
/// memory, which the checkpoint holds. Used only from the driver's intake queue (the fetcher's completions hop onto
/// it), which is what makes it `@unchecked Sendable`.
final class HTTPFeedSource: Source, @unchecked Sendable {
  let index: Int
  let name: String
  private let url: URL
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let feedState: FeedState
  private let logger: Logger
  private let pollEvery: Double
  let timeout: Double
  private let maxBackoff: Double
  private let fetcher: HTTPFeedFetcher
  private var context: SourceContext?
  private var etag: String?
  private var lastModified: String?
  private var lastBody: (count: Int, hash: UInt64)?
  private var lines: Int64 = 0
  private var consecutiveFailures = 0
  private var cancelled = false
  private(set) var isExhausted = false
  private let fetchErrors = Counter(label: "areaflow_feed_fetch_errors_total")
  private let fetches = Counter(label: "areaflow_feed_fetches_total")

  struct SetupError: Error, CustomStringConvertible {
    let description: String
  }

  init(
    index: Int, address: String, format: InputConfig.Format, plan: FieldPlan, batchLines: Int, pollEvery: Int64,
    feedState: FeedState, logger: Logger
  ) throws {
    guard format == .gtfsRT else {
      throw SetupError(
        description: "\(address): http:// and https:// inputs are GTFS-Realtime feeds; set input.format: gtfs-rt")
    }
    guard let url = URL(string: address), url.host != nil else {
      throw SetupError(description: "\(address): not a valid URL")
    }
    let seconds = Double(pollEvery) / 1e9
    timeout = min(30, max(1, seconds))
    do {
      fetcher = try HTTPFeedFetcher(url: url, timeoutSeconds: timeout)
    } catch {
      throw SetupError(description: "\(address): \(error)")
    }
    self.index = index
    self.name = address
    self.url = url
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    self.feedState = feedState
    self.logger = logger
    self.pollEvery = seconds
    maxBackoff = max(seconds, 60)
  }

  func start(_ context: SourceContext) {
    self.context = context
    logger.info("polling a GTFS-Realtime feed", metadata: ["url": "\(name)", "every_s": "\(pollEvery)"])
    fetch()
  }

  private func fetch() {
    guard !cancelled, let context else { return }
    dispatchPrecondition(condition: .onQueue(context.queue))
    var headers = [("Accept", "application/x-protobuf, */*")]
    if let etag { headers.append(("If-None-Match", etag)) }
    if let lastModified { headers.append(("If-Modified-Since", lastModified)) }
    fetches.increment()
    let queue = context.queue
    fetcher.get(headers: headers) { [weak self] result in
      guard let self else { return }
      queue.async { self.handle(result) }
    }
  }

  private func handle(_ result: Result<HTTPFeedFetcher.Answer, HTTPFeedFetcher.Failure>) {
    guard !cancelled, let context else { return }
    let response: HTTPFeedFetcher.Answer
    switch result {
    case .failure(let failure): return failed(failure.description)
    case .success(let answer): response = answer
    }
    switch response.status {
    case 304:
      succeeded(new: false)
    case 200:
      let body = response.body
      let fingerprint = body.withUnsafeBufferPointer { b -> (Int, UInt64) in
        guard let p = b.baseAddress else { return (0, 0) }
        return (b.count, ByteHasher.hash(p, 0, b.count))
      }
      etag = response.headers.first(name: "ETag")
      lastModified = response.headers.first(name: "Last-Modified")
      if let last = lastBody, last == fingerprint { return succeeded(new: false) }
      lastBody = fingerprint
      let before = (feedState.summary.vehiclePositions, feedState.summary.malformedMessages)
      let framer = InputFramer(
        input: index, inputName: name, format: format, plan: plan, batchLines: batchLines, feedState: feedState)
      framer.continueNumbering(after: lines)
      do {
        try body.withUnsafeBytes { try framer.process($0, deliver: context.deliver) }
        try framer.finish(deliver: context.deliver)
      } catch {
        framer.salvage(deliver: context.deliver)
        lines = framer.linesEmitted
        return failed("corrupt body (\(body.count) bytes): \(error)")
      }
      lines = framer.linesEmitted
      let malformed = feedState.summary.malformedMessages - before.1
      if malformed > 0 {
        logger.error(
          "the feed's body is not a valid FeedMessage; counted as a malformed reject",
          metadata: ["url": "\(name)", "bytes": "\(body.count)"])
      }
      succeeded(new: feedState.summary.vehiclePositions > before.0 || malformed > 0)
    default:
      failed("HTTP status \(response.status)")
    }
  }

  private func succeeded(new: Bool) {
    if consecutiveFailures > 0 {
      logger.info("the feed answers again", metadata: ["url": "\(name)", "after_failures": "\(consecutiveFailures)"])
    }
    consecutiveFailures = 0
    if new { context?.noteData() }
    isExhausted = !new
    schedule(after: pollEvery)
  }

  private func failed(_ reason: String) {
    consecutiveFailures += 1
    feedState.summary.fetchErrors += 1
    fetchErrors.increment()
    let delay = min(maxBackoff, pollEvery * pow(2, Double(min(consecutiveFailures, 30))))
    logger.error(
      "fetching the feed failed; polling goes on",
      metadata: [
        "url": "\(name)", "error": "\(reason)", "failures_in_a_row": "\(consecutiveFailures)",
        "retry_in_s": "\(String(format: "%.3f", delay))",
      ])
    isExhausted = true
    schedule(after: delay)
  }

  private func schedule(after seconds: Double) {
    guard let context, !cancelled else { return }
    // `run --once` checks whether every input is exhausted.
    if isExhausted { context.ended() }
    context.queue.asyncAfter(deadline: .now() + seconds) { [weak self] in self?.fetch() }
  }

  func cancel() {
    cancelled = true
  }
}
