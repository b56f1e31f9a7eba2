import Testing

@testable import GS1

private let gs = "\u{1D}"

/// A barcode that must parse, with every field it must yield (see `GS1Fixtures.fields`).
struct GS1ValidCase: CustomTestStringConvertible, Sendable {
    let input: String
    let fields: [String: String]
    let note: String

    init(_ input: String, _ fields: [String: String], _ note: String) {
        self.input = input
        self.fields = fields
        self.note = note
    }

    var testDescription: String { "\(note): \(GS1Fixtures.visible(input))" }
}

/// Real-world labels and the GS1 General Specifications' examples. Every GTIN, SSCC and GLN here was checked
/// with an independent mod-10 script; dates are read on 2026-06-15.
@Suite("GS1: valid barcodes")
struct GS1ValidTableTests {
    static let cases: [GS1ValidCase] = [
        // Plain EAN/UPC/GTIN digits.
        .init("4006381333931", ["form": "plain", "ais": "01", "plainGTIN": "4006381333931", "gtin": "04006381333931"], "EAN-13"),
        .init("036000291452", ["form": "plain", "ais": "01", "plainGTIN": "036000291452", "gtin": "00036000291452"], "UPC-A"),
        .init("96385074", ["form": "plain", "ais": "01", "plainGTIN": "96385074", "gtin": "00000096385074"], "EAN-8"),
        .init("5901234123457", ["form": "plain", "ais": "01", "plainGTIN": "5901234123457", "gtin": "05901234123457"], "EAN-13"),
        .init("73513537", ["form": "plain", "ais": "01", "plainGTIN": "73513537", "gtin": "00000073513537"], "EAN-8"),
        .init("042100005264", ["form": "plain", "ais": "01", "plainGTIN": "042100005264", "gtin": "00042100005264"], "UPC-A"),
        .init("012345678905", ["form": "plain", "ais": "01", "plainGTIN": "012345678905", "gtin": "00012345678905"], "UPC-A"),
        .init("40123455", ["form": "plain", "ais": "01", "plainGTIN": "40123455", "gtin": "00000040123455"], "EAN-8"),
        .init("10614141000415", ["form": "plain", "ais": "01", "plainGTIN": "10614141000415", "gtin": "10614141000415"], "GTIN-14 (ITF-14 digits)"),
        .init("00012345600012", ["form": "plain", "ais": "01", "plainGTIN": "00012345600012", "gtin": "00012345600012"], "GTIN-14 with leading zeros"),
        .init("]E04006381333931", ["form": "plain", "ais": "01", "symbology": "]E0", "plainGTIN": "4006381333931", "gtin": "04006381333931"], "EAN-13 with ]E0"),
        .init("]E496385074", ["form": "plain", "ais": "01", "symbology": "]E4", "plainGTIN": "96385074", "gtin": "00000096385074"], "EAN-8 with ]E4"),
        .init("]E00036000291452", ["form": "plain", "ais": "01", "symbology": "]E0", "plainGTIN": "0036000291452", "gtin": "00036000291452"], "UPC-A sent as EAN-13 under ]E0"),
        .init("]I110614141000415", ["form": "plain", "ais": "01", "symbology": "]I1", "plainGTIN": "10614141000415", "gtin": "10614141000415"], "ITF-14 with ]I1"),
        .init("]A04006381333931", ["form": "plain", "ais": "01", "symbology": "]A0", "plainGTIN": "4006381333931", "gtin": "04006381333931"], "Code 39 identifier: plain"),
        .init("4006381333931\r\n", ["form": "plain", "ais": "01", "plainGTIN": "4006381333931", "gtin": "04006381333931"], "trailing CR LF"),
        .init("96385074 ", ["form": "plain", "ais": "01", "plainGTIN": "96385074", "gtin": "00000096385074"], "trailing space"),
        .init("4006381333931\t", ["form": "plain", "ais": "01", "plainGTIN": "4006381333931", "gtin": "04006381333931"], "trailing tab"),

        // GTIN in AI 01, every carrier.
        .init("0109501101530003", ["form": "separated", "ais": "01", "gtin": "09501101530003"], "GenSpecs GTIN, no identifier"),
        .init("(01)09501101530003", ["form": "bracketed", "ais": "01", "gtin": "09501101530003"], "GenSpecs GTIN, bracket form"),
        .init("]C10109501101530003", ["form": "separated", "ais": "01", "symbology": "]C1", "gtin": "09501101530003"], "GS1-128"),
        .init("]e00109501101530003", ["form": "separated", "ais": "01", "symbology": "]e0", "gtin": "09501101530003"], "GS1 DataBar"),
        .init("0109501101530003\n", ["form": "separated", "ais": "01", "gtin": "09501101530003"], "trailing LF"),

        // Case labels: GTIN + expiry + lot.
        .init("(01)09501101530003(17)140704(10)AB-123",
              ["form": "bracketed", "ais": "01,17,10", "gtin": "09501101530003", "expiry": "2014-07-04", "lot": "AB-123"], "GenSpecs example, bracket form"),
        .init("010950110153000317140704" + "10AB-123",
              ["form": "separated", "ais": "01,17,10", "gtin": "09501101530003", "expiry": "2014-07-04", "lot": "AB-123"], "GenSpecs example, no separator needed"),
        .init("]d2010950110153000317140704" + "10AB-123",
              ["form": "separated", "ais": "01,17,10", "symbology": "]d2", "gtin": "09501101530003", "expiry": "2014-07-04", "lot": "AB-123"], "GS1 DataMatrix"),
        .init("]Q3010950110153000317140704" + "10AB-123",
              ["form": "separated", "ais": "01,17,10", "symbology": "]Q3", "gtin": "09501101530003", "expiry": "2014-07-04", "lot": "AB-123"], "GS1 QR Code"),
        .init("]J1010950110153000317140704" + "10AB-123",
              ["form": "separated", "ais": "01,17,10", "symbology": "]J1", "gtin": "09501101530003", "expiry": "2014-07-04", "lot": "AB-123"], "GS1 DotCode"),
        .init("]d2" + "0107612345678900" + "17270131" + "10A1B2C3" + gs + "21SN0001",
              ["form": "separated", "ais": "01,17,10,21", "symbology": "]d2", "gtin": "07612345678900", "expiry": "2027-01-31", "lot": "A1B2C3", "serial": "SN0001"], "pharma pack DataMatrix"),
        .init("0109501101530003" + "2112345678p901",
              ["form": "separated", "ais": "01,21", "gtin": "09501101530003", "serial": "12345678p901"], "GTIN + serial"),
        .init("0109501101530003" + "11260101" + "17270101" + "10LOT1",
              ["form": "separated", "ais": "01,11,17,10", "gtin": "09501101530003", "productionDate": "2026-01-01", "expiry": "2027-01-01", "lot": "LOT1"], "production and expiry dates"),
        .init("]C10109501101530003" + gs + "10ABC" + gs + "21XYZ",
              ["form": "separated", "ais": "01,10,21", "symbology": "]C1", "gtin": "09501101530003", "lot": "ABC", "serial": "XYZ"], "GS after a fixed field is tolerated"),
        .init("0109501101530003" + gs + "10ABC",
              ["form": "separated", "ais": "01,10", "gtin": "09501101530003", "lot": "ABC"], "GS after GTIN"),
        .init(gs + "0109501101530003",
              ["form": "separated", "ais": "01", "gtin": "09501101530003"], "leading FNC1 sent as GS"),
        .init("0109501101530003" + "10ABCDEFGHIJ0123456789",
              ["form": "separated", "ais": "01,10", "gtin": "09501101530003", "lot": "ABCDEFGHIJ0123456789"], "lot of exactly 20 characters"),
        .init("10" + "!\"%&'()*+,-./:;<=>?_",
              ["form": "separated", "ais": "10", "lot": "!\"%&'()*+,-./:;<=>?_"], "lot of every symbol in set 82"),
        .init("(10)abc", ["form": "bracketed", "ais": "10", "lot": "abc"], "lower-case lot"),
        .init("0109501101530003" + "0109501101530003",
              ["form": "separated", "ais": "01,01", "gtin": "09501101530003"], "AI repeated with the same value"),

        // Dates: day 00, leap years, the century window (today 2026: 1977...2076).
        .init("0109501101530003" + "17270200", ["form": "separated", "ais": "01,17", "gtin": "09501101530003", "expiry": "2027-02-28"], "day 00, February"),
        .init("0109501101530003" + "17280200", ["form": "separated", "ais": "01,17", "gtin": "09501101530003", "expiry": "2028-02-29"], "day 00, leap February"),
        .init("0109501101530003" + "15261100", ["form": "separated", "ais": "01,15", "gtin": "09501101530003", "bestBefore": "2026-11-30"], "day 00, November"),
        .init("0109501101530003" + "17261200", ["form": "separated", "ais": "01,17", "gtin": "09501101530003", "expiry": "2026-12-31"], "day 00, December"),
        .init("0109501101530003" + "17760101", ["form": "separated", "ais": "01,17", "gtin": "09501101530003", "expiry": "2076-01-01"], "50 years ahead: this century"),
        .init("0109501101530003" + "17770101", ["form": "separated", "ais": "01,17", "gtin": "09501101530003", "expiry": "1977-01-01"], "51 years ahead: previous century"),
        .init("0109501101530003" + "11990101", ["form": "separated", "ais": "01,11", "gtin": "09501101530003", "productionDate": "1999-01-01"], "year 99"),
        .init("0109501101530003" + "11000229", ["form": "separated", "ais": "01,11", "gtin": "09501101530003", "productionDate": "2000-02-29"], "2000 is a leap year"),
        .init("0109501101530003" + "13260615", ["form": "separated", "ais": "01,13", "gtin": "09501101530003", "packagingDate": "2026-06-15"], "packaging date"),
        .init("(01)09501101530003(12)270315", ["form": "bracketed", "ais": "01,12", "gtin": "09501101530003", "dueDate": "2027-03-15"], "due date"),
        .init("(01)09501101530003(16)261231", ["form": "bracketed", "ais": "01,16", "gtin": "09501101530003", "sellBy": "2026-12-31"], "sell-by date"),

        // SSCC pallet labels.
        .init("00106141411234567897", ["form": "separated", "ais": "00", "sscc": "106141411234567897"], "SSCC"),
        .init("(00)106141412345678908", ["form": "bracketed", "ais": "00", "sscc": "106141412345678908"], "GenSpecs SSCC"),
        .init("]C100376104250021234569", ["form": "separated", "ais": "00", "symbology": "]C1", "sscc": "376104250021234569"], "SSCC, GS1-128"),
        .init("]C100106141411234567897" + gs, ["form": "separated", "ais": "00", "symbology": "]C1", "sscc": "106141411234567897"], "trailing GS"),
        .init("]C100106141411234567897\r\n", ["form": "separated", "ais": "00", "symbology": "]C1", "sscc": "106141411234567897"], "trailing CR LF"),
        .init("]C1" + "0210614141000415" + "15270300" + "3724",
              ["form": "separated", "ais": "02,15,37", "symbology": "]C1", "content": "10614141000415", "bestBefore": "2027-03-31", "count": "24"], "pallet content, count last"),
        .init("0210614141000415" + "3748" + gs + "15270300",
              ["form": "separated", "ais": "02,37,15", "content": "10614141000415", "count": "48", "bestBefore": "2027-03-31"], "count ended by GS"),
        .init("(02)10614141000415(37)12345678", ["form": "bracketed", "ais": "02,37", "content": "10614141000415", "count": "12345678"], "count of 8 digits"),
        .init("3700000024", ["form": "separated", "ais": "37", "count": "24"], "count with leading zeros"),
        .init("305", ["form": "separated", "ais": "30", "count": "5"], "variable count of one digit"),
        .init("0195012345678903" + "3012", ["form": "separated", "ais": "01,30", "gtin": "95012345678903", "count": "12"], "GTIN + variable count"),
        .init("00376104250021234569" + "400PO12345", ["form": "separated", "ais": "00,400", "sscc": "376104250021234569", "orderNumber": "PO12345"], "SSCC + order number"),
        .init("(00)106141411234567897(02)10614141000415(37)24(400)PO-4711(410)9501101020016(420)20095",
              ["form": "bracketed", "ais": "00,02,37,400,410,420", "sscc": "106141411234567897", "content": "10614141000415", "count": "24",
               "orderNumber": "PO-4711", "gln.shipTo": "9501101020016", "shipToPostalCode": "20095"], "full logistic label"),
        .init("(00)376104250021234569(3302)012345",
              ["form": "bracketed", "ais": "00,3302", "sscc": "376104250021234569", "measure.3302": "grossWeight 123.45 kg"], "SSCC + gross weight"),

        // GLN ship-to labels.
        .init("(410)9501101020016", ["form": "bracketed", "ais": "410", "gln.shipTo": "9501101020016"], "ship-to GLN"),
        .init("00106141412345678908" + "4104012345000009" + "42020095",
              ["form": "separated", "ais": "00,410,420", "sscc": "106141412345678908", "gln.shipTo": "4012345000009", "shipToPostalCode": "20095"], "ship-to GLN and postal code"),
        .init("(410)9501101020016(411)4012345000009(412)5412345000013(413)0614141000005(414)9501101020917(415)0614141000012",
              ["form": "bracketed", "ais": "410,411,412,413,414,415", "gln.shipTo": "9501101020016", "gln.billTo": "4012345000009",
               "gln.purchaseFrom": "5412345000013", "gln.shipFor": "0614141000005", "gln.location": "9501101020917", "gln.payTo": "0614141000012"], "every GLN role"),
        .init("(416)4000001000005(417)5901234123457",
              ["form": "bracketed", "ais": "416,417", "gln.productionLocation": "4000001000005", "gln.party": "5901234123457"], "production location and party GLNs"),
        .init("(421)27620095", ["form": "bracketed", "ais": "421", "shipToCountry": "276", "shipToPostalCode": "20095"], "postal code with country (DE)"),
        .init("(421)840123456789", ["form": "bracketed", "ais": "421", "shipToCountry": "840", "shipToPostalCode": "123456789"], "postal code of 9 characters"),
        .init("(00)106141411234567897(421)0562000",
              ["form": "bracketed", "ais": "00,421", "sscc": "106141411234567897", "shipToCountry": "056", "shipToPostalCode": "2000"], "SSCC + postal code (BE)"),

        // Variable-measure items.
        .init("(01)95012345678903(3103)000123", ["form": "bracketed", "ais": "01,3103", "gtin": "95012345678903", "measure.3103": "netWeight 0.123 kg"], "GenSpecs net weight"),
        .init("(01)09501101530003(3103)000189", ["form": "bracketed", "ais": "01,3103", "gtin": "09501101530003", "measure.3103": "netWeight 0.189 kg"], "net weight 189 g"),
        .init("0198765432109213" + "3102001250", ["form": "separated", "ais": "01,3102", "gtin": "98765432109213", "measure.3102": "netWeight 12.50 kg"], "net weight, 2 decimals"),
        .init("0195012345678903" + "3103001250" + "15270430",
              ["form": "separated", "ais": "01,3103,15", "gtin": "95012345678903", "measure.3103": "netWeight 1.250 kg", "bestBefore": "2027-04-30"], "weight then date, no separator"),
        .init("0195012345678903" + "3100000500", ["form": "separated", "ais": "01,3100", "gtin": "95012345678903", "measure.3100": "netWeight 500 kg"], "no decimals"),
        .init("(01)95012345678903(3105)123456", ["form": "bracketed", "ais": "01,3105", "gtin": "95012345678903", "measure.3105": "netWeight 1.23456 kg"], "5 decimals"),
        .init("(01)95012345678903(3111)000150", ["form": "bracketed", "ais": "01,3111", "gtin": "95012345678903", "measure.3111": "length 15.0 m"], "length"),
        .init("(01)95012345678903(3122)000075", ["form": "bracketed", "ais": "01,3122", "gtin": "95012345678903", "measure.3122": "width 0.75 m"], "width"),
        .init("(01)95012345678903(3132)000210", ["form": "bracketed", "ais": "01,3132", "gtin": "95012345678903", "measure.3132": "height 2.10 m"], "height"),
        .init("(01)95012345678903(3142)001234", ["form": "bracketed", "ais": "01,3142", "gtin": "95012345678903", "measure.3142": "area 12.34 m2"], "area"),
        .init("(01)95012345678903(3153)001500", ["form": "bracketed", "ais": "01,3153", "gtin": "95012345678903", "measure.3153": "netVolume 1.500 l"], "net volume in litres"),
        .init("(01)95012345678903(3162)000125", ["form": "bracketed", "ais": "01,3162", "gtin": "95012345678903", "measure.3162": "netVolume 1.25 m3"], "net volume in cubic metres"),

        // Other AIs, and unknown AIs of predefined length.
        .init("0109501101530003" + "2001", ["form": "separated", "ais": "01,20", "gtin": "09501101530003", "variant": "01"], "variant"),
        .init("(01)09501101530003(240)ABC-123", ["form": "bracketed", "ais": "01,240", "gtin": "09501101530003", "additionalID": "ABC-123"], "additional product id"),
        .init("(01)09501101530003(241)CPN/4711", ["form": "bracketed", "ais": "01,241", "gtin": "09501101530003", "customerPartNumber": "CPN/4711"], "customer part number"),
        .init("(01)09501101530003(235)TPX0042", ["form": "bracketed", "ais": "01,235", "gtin": "09501101530003", "thirdPartySerial": "TPX0042"], "third-party serial"),
        .init("0109501101530003" + "422276" + gs + "10LOT",
              ["form": "separated", "ais": "01,422,10", "gtin": "09501101530003", "countryOfOrigin": "276", "lot": "LOT"], "country of origin ended by GS"),
        .init("(03)12345678901231", ["form": "bracketed", "ais": "03", "ai03": "12345678901231"], "unknown AI 03, predefined length"),
        .init("0312345678901231" + "10ABC", ["form": "separated", "ais": "03,10", "ai03": "12345678901231", "lot": "ABC"], "unknown AI 03 split by its predefined length"),
        .init("0195012345678903" + "3202001234" + "10LOT",
              ["form": "separated", "ais": "01,3202,10", "gtin": "95012345678903", "ai3202": "001234", "lot": "LOT"], "unknown AI 3202 (lb) split by its predefined length"),
        .init("4189501101020016", ["form": "separated", "ais": "418", "ai418": "9501101020016"], "unknown AI 418, predefined length"),
        .init("0109501101530003" + "14270101" + "10A",
              ["form": "separated", "ais": "01,14,10", "gtin": "09501101530003", "ai14": "270101", "lot": "A"], "unknown AI 14, predefined length"),
    ]

    @Test("parses", arguments: cases)
    func parses(_ testCase: GS1ValidCase) throws {
        let barcode = try Barcode.parse(testCase.input, today: GS1Fixtures.today).get()
        #expect(GS1Fixtures.fields(barcode) == testCase.fields)
        #expect(barcode.text == testCase.input)
    }
}
