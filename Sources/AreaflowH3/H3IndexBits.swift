/// Bit layout of a 64-bit H3 cell index and the conversions between indexes
/// and face ijk addresses.
enum H3IndexBits {
  static let modeOffset: UInt64 = 59
  static let reservedOffset: UInt64 = 56
  static let resolutionOffset: UInt64 = 52
  static let baseCellOffset: UInt64 = 45
  static let cellMode: UInt64 = 1
  /// All digits set to 7 (unused), everything else zero.
  static let initial: UInt64 = 0x0000_1FFF_FFFF_FFFF
  static let maxResolution = 15

  @inline(__always)
  static func resolution(_ h: UInt64) -> Int { Int((h >> resolutionOffset) & 0xF) }

  @inline(__always)
  static func baseCell(_ h: UInt64) -> Int { Int((h >> baseCellOffset) & 0x7F) }

  @inline(__always)
  static func mode(_ h: UInt64) -> UInt64 { (h >> modeOffset) & 0xF }

  @inline(__always)
  static func digitShift(_ r: Int) -> UInt64 { UInt64((maxResolution - r) * 3) }

  @inline(__always)
  static func digit(_ h: UInt64, _ r: Int) -> Int { Int((h >> digitShift(r)) & 7) }

  @inline(__always)
  static func setDigit(_ h: inout UInt64, _ r: Int, _ d: Int) {
    let shift = digitShift(r)
    h = (h & ~(7 << shift)) | (UInt64(d) << shift)
  }

  @inline(__always)
  static func setResolution(_ h: inout UInt64, _ r: Int) {
    h = (h & ~(0xF << resolutionOffset)) | (UInt64(r) << resolutionOffset)
  }

  @inline(__always)
  static func setBaseCell(_ h: inout UInt64, _ bc: Int) {
    h = (h & ~(0x7F << baseCellOffset)) | (UInt64(bc) << baseCellOffset)
  }

  /// The first non-zero digit, or 0 when all digits are zero.
  @inline(__always)
  static func leadingNonZeroDigit(_ h: UInt64) -> Int {
    let res = resolution(h)
    var r = 1
    while r <= res {
      let d = digit(h, r)
      if d != 0 { return d }
      r += 1
    }
    return 0
  }

  /// Lowest bit of every 3-bit digit field.
  static let digitLowBits: UInt64 = 0x0000_0492_4924_9249

  /// Rotates every digit of an index by `n` counter-clockwise 60 degree
  /// steps. Digits are i, j, k unit bits (digit = 4i + 2j + k); one ccw step
  /// maps (i, j, k) to (!j, !k, !i) for digits 1...6 and leaves 0 and 7
  /// (all bits equal) unchanged, so all digits rotate at once.
  @inline(__always)
  static func rotateDigits(_ h: UInt64, ccwSteps n: Int) -> UInt64 {
    let m = digitLowBits
    var d = h & (m | m << 1 | m << 2)
    let iBits = (d >> 2) & m
    let jBits = (d >> 1) & m
    let kBits = d & m
    let fixed = ~(iBits ^ jBits) & ~(jBits ^ kBits) & m
    let fixedMask = fixed | fixed << 1 | fixed << 2
    var i = iBits
    var j = jBits
    var k = kBits
    var step = 0
    while step < n {
      let ni = ~j & m
      let nj = ~k & m
      let nk = ~i & m
      i = ni
      j = nj
      k = nk
      step += 1
    }
    d = (d & fixedMask) | ((i << 2 | j << 1 | k) & ~fixedMask)
    return (h & ~(m | m << 1 | m << 2)) | d
  }

  @inline(__always)
  static func rotate60ccw(_ h: UInt64) -> UInt64 { rotateDigits(h, ccwSteps: 1) }

  @inline(__always)
  static func rotate60cw(_ h: UInt64) -> UInt64 { rotateDigits(h, ccwSteps: 5) }

  /// Rotates a pentagon-rooted index 60 degrees ccw, skipping the deleted
  /// k-axes subsequence.
  static func rotatePent60ccw(_ h: UInt64) -> UInt64 {
    var out = h
    var foundFirstNonZero = false
    let res = resolution(h)
    var r = 1
    while r <= res {
      setDigit(&out, r, Int((0xea62e8 >> UInt32(digit(out, r) * 3)) & 7))
      if !foundFirstNonZero && digit(out, r) != 0 {
        foundFirstNonZero = true
        if leadingNonZeroDigit(out) == 1 { out = rotate60ccw(out) }
      }
      r += 1
    }
    return out
  }

  @inline(__always)
  static func isBaseCellPentagon(_ bc: Int) -> Bool {
    H3Tables.baseCellIsPentagon[bc]
  }

  @inline(__always)
  static func isPentagon(_ h: UInt64) -> Bool {
    isBaseCellPentagon(baseCell(h)) && leadingNonZeroDigit(h) == 0
  }

  /// Digit and offset of an aperture 7 step, by the step's remainder. Stepping up from (i, j) to the parent
  /// (pi, pj) leaves the offset (di, dj) from the parent's centre child, one of the 7 digit vectors, and the
  /// remainder of the rounded division that gives pi is a linear form of that offset which tells all 7 apart:
  /// 3 di - dj counter-clockwise (Class III), 2 di + dj clockwise (Class II). Entries are 5 bits at
  /// (remainder + 3) * 5: the digit, then dj + 1 in the upper 2 bits.
  static let stepByCcwRemainder: UInt64 = 0x3_2c54_482b
  static let stepByCwRemainder: UInt64 = 0x5_9924_1561
  /// The inverse of 3 modulo 2^64: multiplying an exact multiple of 3 by it divides by 3.
  static let inverseOf3: UInt64 = 0xAAAA_AAAA_AAAA_AAAB

  /// n / 7 rounded to the nearest integer (ties cannot occur), for
  /// |n| < 2^40: shifted to a positive numerator so the division is a
  /// branch-free unsigned multiply.
  @inline(__always)
  static func roundedDivideBy7(_ n: Int) -> Int {
    let bias: UInt64 = 1 << 40
    let q = UInt64(bitPattern: Int64(2 &* n &+ 7)) &+ 14 &* bias
    return Int(bitPattern: UInt(q / 14 &- bias))
  }

  /// One step up a counter-clockwise (Class III) aperture 7 grid: the parent and the digit of the child. The
  /// parent's centre child is (2 pi + pj, 3 pj - pi) in ij form, so pj = (j - dj + pi) / 3 exactly.
  @inline(__always)
  static func upCcw(_ i: inout Int, _ j: inout Int) -> UInt64 {
    let a = 3 &* i &- j
    let pi = roundedDivideBy7(a)
    let step = stepByCcwRemainder &>> UInt64(truncatingIfNeeded: (a &- 7 &* pi &+ 3) &* 5)
    let dj = Int(truncatingIfNeeded: (step &>> 3) & 3) &- 1
    j = Int(bitPattern: UInt(UInt64(bitPattern: Int64(j &- dj &+ pi)) &* inverseOf3))
    i = pi
    return step & 7
  }

  /// One step up a clockwise (Class II) aperture 7 grid: the parent and the digit of the child. The parent's
  /// centre child is (3 pi - pj, pi + 2 pj) in ij form, so pj = (j - dj - pi) / 2 exactly.
  @inline(__always)
  static func upCw(_ i: inout Int, _ j: inout Int) -> UInt64 {
    let a = 2 &* i &+ j
    let pi = roundedDivideBy7(a)
    let step = stepByCwRemainder &>> UInt64(truncatingIfNeeded: (a &- 7 &* pi &+ 3) &* 5)
    let dj = Int(truncatingIfNeeded: (step &>> 3) & 3) &- 1
    j = (j &- dj &- pi) &>> 1
    i = pi
    return step & 7
  }

  /// The cell index of a face ijk address at a resolution, or 0 if the
  /// address is outside the face's base cell lookup range.
  @inline(__always)
  static func cell(from fijk: H3FaceIJK, res: Int) -> UInt64 {
    // Walk up the aperture 7 hierarchy in two-component ij coordinates
    // (i - k, j - k); every step is exact integer arithmetic. Resolution r
    // is Class III when odd; digits are gathered from the finest up.
    var ci = fijk.coord.i - fijk.coord.k
    var cj = fijk.coord.j - fijk.coord.k
    var digits: UInt64 = 0
    var shift = digitShift(res)
    var r = res
    if r & 1 == 1 {
      digits = upCcw(&ci, &cj) &<< shift
      shift &+= 3
      r &-= 1
    }
    while r > 0 {
      digits |= upCw(&ci, &cj) &<< shift
      digits |= upCcw(&ci, &cj) &<< (shift &+ 3)
      shift &+= 6
      r &-= 2
    }
    // digits below the resolution stay 7 (unused)
    let used: UInt64 = ((1 &<< UInt64(truncatingIfNeeded: res &* 3)) &- 1) &<< digitShift(res)
    var h = (initial & ~used) | digits | (cellMode << modeOffset) | (UInt64(res) << resolutionOffset)
    var ijk = H3CoordIJK(i: ci, j: cj, k: 0)
    ijk.normalize()
    guard ijk.i <= 2, ijk.j <= 2, ijk.k <= 2, ijk.i >= 0, ijk.j >= 0, ijk.k >= 0 else {
      return 0
    }
    let slot = (fijk.face * 27 + ijk.i * 9 + ijk.j * 3 + ijk.k) * 2
    let bc = Int(H3Tables.faceIjkBaseCells[slot])
    let numRots = Int(H3Tables.faceIjkBaseCells[slot + 1])
    setBaseCell(&h, bc)
    if isBaseCellPentagon(bc) {
      if leadingNonZeroDigit(h) == 1 {
        if H3Tables.isCwOffset(baseCell: bc, face: fijk.face) {
          h = rotate60cw(h)
        } else {
          h = rotate60ccw(h)
        }
      }
      for _ in 0..<numRots { h = rotatePent60ccw(h) }
    } else if numRots != 0 {
      h = rotateDigits(h, ccwSteps: numRots)
    }
    return h
  }

  /// The face ijk address of a (valid) cell index, on the face that contains
  /// the cell centre.
  static func faceIjk(of cell: UInt64) -> H3FaceIJK {
    var h = cell
    let bc = baseCell(h)
    let pentagonBase = isBaseCellPentagon(bc)
    // adjust for the pentagonal missing sequence: all of sub-sequence 5
    if pentagonBase && leadingNonZeroDigit(h) == 5 { h = rotate60cw(h) }

    let home = bc * 4
    var fijk = H3FaceIJK(
      face: Int(H3Tables.baseCellHome[home]),
      coord: H3CoordIJK(
        i: Int(H3Tables.baseCellHome[home + 1]), j: Int(H3Tables.baseCellHome[home + 2]),
        k: Int(H3Tables.baseCellHome[home + 3])))
    let res = resolution(h)
    let possibleOverage =
      pentagonBase || !(res == 0 || (fijk.coord.i == 0 && fijk.coord.j == 0 && fijk.coord.k == 0))
    var r = 1
    while r <= res {
      if H3FaceIJK.isClassIII(r) {
        fijk.coord.downAp7()
      } else {
        fijk.coord.downAp7r()
      }
      fijk.coord.move(digit: digit(h, r))
      r += 1
    }
    if !possibleOverage { return fijk }

    let origIJK = fijk.coord
    var adjRes = res
    if H3FaceIJK.isClassIII(adjRes) {
      fijk.coord.downAp7r()
      adjRes += 1
    }
    let pentLeading4 = pentagonBase && leadingNonZeroDigit(h) == 4
    if fijk.adjustOverageClassII(res: adjRes, pentLeading4: pentLeading4, substrate: false) != .none {
      if pentagonBase {
        while fijk.adjustOverageClassII(res: adjRes, pentLeading4: false, substrate: false) != .none {}
      }
      if adjRes != res { fijk.coord.upAp7r() }
    } else if adjRes != res {
      fijk.coord = origIJK
    }
    return fijk
  }
}
