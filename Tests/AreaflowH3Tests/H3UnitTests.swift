import Testing

@testable import AreaflowH3

@Suite struct H3UnitTests {
  static let sanFrancisco = (lat: 37.7752702151959, lng: -122.418307270836)

  @Test func knownCell() {
    let cell = H3.latLngToCell(lat: Self.sanFrancisco.lat, lng: Self.sanFrancisco.lng, resolution: 9)
    #expect(H3.cellToString(cell) == "8928308280fffff")
    #expect(H3.stringToCell("8928308280fffff") == cell)
    #expect(H3.getResolution(cell) == 9)
    #expect(H3.getBaseCellNumber(cell) == 20)
    #expect(H3.isValidCell(cell))
    #expect(!H3.isPentagon(cell))
  }

  @Test func invalidInputGivesNullCell() {
    #expect(H3.latLngToCell(lat: .nan, lng: 0, resolution: 5) == 0)
    #expect(H3.latLngToCell(lat: 0, lng: .infinity, resolution: 5) == 0)
    #expect(H3.latLngToCell(lat: 10, lng: 10, resolution: 16) == 0)
    #expect(H3.latLngToCell(lat: 10, lng: 10, resolution: -1) == 0)
  }

  @Test func childrenAndParentsRoundTrip() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      let res = Int.random(in: 0...13, using: &rng)
      let cell = H3.latLngToCell(
        lat: Double.random(in: -89...89, using: &rng), lng: Double.random(in: -180...180, using: &rng),
        resolution: res)
      let pentagon = H3.isPentagon(cell)
      let children = H3.cellToChildren(cell, resolution: res + 1)
      #expect(children.count == (pentagon ? 6 : 7))
      let grandchildren = H3.cellToChildren(cell, resolution: res + 2)
      #expect(grandchildren.count == (pentagon ? 41 : 49))
      #expect(Set(grandchildren).count == grandchildren.count)
      for child in children + grandchildren {
        #expect(H3.isValidCell(child))
        #expect(H3.cellToParent(child, resolution: res) == cell)
      }
      // the centre child shares the parent's centre
      let center = H3.cellToLatLng(cell)
      let centerChild = H3.latLngToCell(lat: center.lat, lng: center.lng, resolution: res + 1)
      #expect(H3.cellToParent(centerChild, resolution: res) == cell)
      #expect(H3.cellToChildren(cell, resolution: res) == [cell])
      #expect(H3.cellToParent(cell, resolution: res) == cell)
    }
  }

  @Test func parentAndChildrenResolutionBounds() {
    let cell = H3.latLngToCell(lat: 10, lng: 20, resolution: 5)
    #expect(H3.cellToParent(cell, resolution: 6) == 0)
    #expect(H3.cellToParent(cell, resolution: -1) == 0)
    #expect(H3.cellToChildren(cell, resolution: 4).isEmpty)
    #expect(H3.cellToChildren(cell, resolution: 16).isEmpty)
    #expect(H3.cellToParent(cell, resolution: 0) == H3.latLngToCell(lat: 10, lng: 20, resolution: 0))
  }

  @Test func pentagonsAtEveryResolution() {
    let baseCells = (0..<122).map { UInt64(0x0800_1FFF_FFFF_FFFF) | UInt64($0) << 45 }
    var pentagons = baseCells.filter { H3.isPentagon($0) }
    #expect(pentagons.count == 12)
    for res in 0...15 {
      if res > 0 {
        // the centre child (digit 0) of a pentagon is a pentagon
        pentagons = pentagons.map { H3.cellToChildren($0, resolution: res)[0] }
      }
      for pentagon in pentagons {
        #expect(H3.isPentagon(pentagon))
        #expect(H3.isValidCell(pentagon))
        #expect(H3.getResolution(pentagon) == res)
        #expect(H3.cellToBoundary(pentagon).count == (res % 2 == 1 ? 10 : 5))
        #expect(Set(H3.gridDisk(pentagon, k: 1)).count == 6)
        #expect(Set(H3.gridDisk(pentagon, k: 2)).count == 16)
        let center = H3.cellToLatLng(pentagon)
        #expect(H3.latLngToCell(lat: center.lat, lng: center.lng, resolution: res) == pentagon)
      }
    }
  }

  @Test func gridDiskCounts() {
    let cell = H3.latLngToCell(lat: Self.sanFrancisco.lat, lng: Self.sanFrancisco.lng, resolution: 9)
    #expect(H3.gridDisk(cell, k: 0) == [cell])
    #expect(Set(H3.gridDisk(cell, k: 1)).count == 7)
    #expect(Set(H3.gridDisk(cell, k: 2)).count == 19)
    #expect(Set(H3.gridDisk(cell, k: 3)).count == 37)
    #expect(H3.gridDisk(cell, k: 2).count == 19)
    #expect(H3.gridDisk(cell, k: -1).isEmpty)
    #expect(H3.gridDisk(0, k: 1).isEmpty)
    let ring = Set(H3.gridDisk(cell, k: 1)).subtracting([cell])
    for neighbor in ring {
      #expect(Set(H3.gridDisk(neighbor, k: 1)).contains(cell))
    }
  }

  @Test func invalidCellsRejected() {
    let valid = H3.latLngToCell(lat: Self.sanFrancisco.lat, lng: Self.sanFrancisco.lng, resolution: 9)
    #expect(H3.isValidCell(valid))
    #expect(!H3.isValidCell(0))
    #expect(!H3.isValidCell(UInt64.max))
    #expect(!H3.isValidCell(valid | 1 << 63))  // high bit
    #expect(!H3.isValidCell((valid & ~(UInt64(0xF) << 59)) | 2 << 59))  // edge mode
    #expect(!H3.isValidCell(valid | 1 << 56))  // reserved bits
    #expect(!H3.isValidCell((valid & ~(UInt64(0x7F) << 45)) | 122 << 45))  // base cell 122
    #expect(!H3.isValidCell(valid | 7 << ((15 - 5) * 3)))  // digit 7 within resolution
    #expect(!H3.isValidCell(valid & ~(7 << ((15 - 12) * 3))))  // digit beyond resolution
    // a pentagon base cell (4) whose first non-zero digit is 1 (deleted subsequence)
    let pentagonChild: UInt64 = 0x0810_0000_0000_0000 | 4 << 45 | 1 << 42 | 0x3FF_FFFF_FFFF
    #expect(!H3.isValidCell(pentagonChild))
    #expect(H3.isValidCell(pentagonChild & ~(7 << 42) | 2 << 42))
    #expect(H3.stringToCell("") == nil)
    #expect(H3.stringToCell("not hex") == nil)
    #expect(H3.stringToCell("8928308280fffff0a") == nil)
  }

  @Test func stringForm() {
    let cell: UInt64 = 0x85283473fffffff
    #expect(H3.cellToString(cell) == "85283473fffffff")
    #expect(H3.stringToCell("85283473fffffff") == cell)
    #expect(H3.stringToCell("85283473FFFFFFF") == cell)
  }

  @Test func integerHelpersMatchTheirDefinitions() {
    var rng = SystemRandomNumberGenerator()
    var samples = Array(-2_000...2_000)
    for _ in 0..<20_000 { samples.append(Int.random(in: -(1 << 39)...(1 << 39), using: &rng)) }
    for n in samples {
      #expect(H3IndexBits.roundedDivideBy7(n) == Int((Double(n) / 7).rounded()))
    }
    // bit-parallel digit rotation agrees with the digit permutation
    let ccw = [0, 5, 3, 1, 6, 4, 2, 7]
    for _ in 0..<2_000 {
      let res = Int.random(in: 0...15, using: &rng)
      var h = UInt64(0x0800_1FFF_FFFF_FFFF)
      H3IndexBits.setResolution(&h, res)
      if res > 0 {
        for r in 1...res { H3IndexBits.setDigit(&h, r, Int.random(in: 0...6, using: &rng)) }
      }
      for steps in 0...5 {
        var expected = h
        if res > 0 {
          for r in 1...res {
            var d = H3IndexBits.digit(h, r)
            for _ in 0..<steps { d = ccw[d] }
            H3IndexBits.setDigit(&expected, r, d)
          }
        }
        #expect(H3IndexBits.rotateDigits(h, ccwSteps: steps) == expected)
      }
    }
  }
}
