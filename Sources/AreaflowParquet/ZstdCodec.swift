import CZstd

/// Thin wrapper over libzstd's one-shot API with reusable contexts.
///
/// A Parquet file holds one zstd frame per page, so a file with many columns and row groups
/// compresses hundreds of small buffers; reusing one `ZSTD_CCtx` (via `ZSTD_compressCCtx`, the
/// context-reusing form of `ZSTD_compress`) avoids re-allocating zstd's work space for each of them.
/// Not thread-safe: make one per encode call.
final class ZstdCodec {
  /// Arrow's default zstd level; keeps our sizes and speed comparable with pyarrow.
  static let defaultLevel: Int32 = 1

  private let level: Int32
  private var compressionContext: OpaquePointer?
  private var decompressionContext: OpaquePointer?

  init(level: Int32 = ZstdCodec.defaultLevel) {
    self.level = level
  }

  deinit {
    if let compressionContext { ZSTD_freeCCtx(compressionContext) }
    if let decompressionContext { ZSTD_freeDCtx(decompressionContext) }
  }

  /// Compresses `input` into the front of `output` and returns the compressed length.
  ///
  /// `output` only ever grows, so a scratch buffer reused across pages stops allocating once it has
  /// seen the largest page; bytes past the returned length are garbage.
  func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int {
    if compressionContext == nil { compressionContext = ZSTD_createCCtx() }
    guard let context = compressionContext else { throw ParquetError.compression("ZSTD_createCCtx failed") }
    let bound = ZSTD_compressBound(input.count)
    if output.count < bound {
      output.reserveCapacity(bound)
      output.append(contentsOf: repeatElement(0, count: bound - output.count))
    }
    let written = output.withUnsafeMutableBytes { out in
      ZSTD_compressCCtx(context, out.baseAddress, out.count, input.baseAddress, input.count, level)
    }
    if ZSTD_isError(written) != 0 {
      throw ParquetError.compression(String(cString: ZSTD_getErrorName(written)))
    }
    return written
  }

  /// Decompresses one page whose decompressed size the page header states.
  func decompress(_ input: UnsafeRawBufferPointer, decompressedSize: Int) throws -> [UInt8] {
    if decompressionContext == nil { decompressionContext = ZSTD_createDCtx() }
    guard let context = decompressionContext else { throw ParquetError.compression("ZSTD_createDCtx failed") }
    var output = [UInt8](repeating: 0, count: decompressedSize)
    let written = output.withUnsafeMutableBytes { out in
      ZSTD_decompressDCtx(context, out.baseAddress, out.count, input.baseAddress, input.count)
    }
    if ZSTD_isError(written) != 0 {
      throw ParquetError.compression(String(cString: ZSTD_getErrorName(written)))
    }
    guard written == decompressedSize else {
      throw ParquetError.malformed("page decompressed to \(written) bytes, header says \(decompressedSize)")
    }
    return output
  }
}
