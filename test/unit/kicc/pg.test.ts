import { describe, expect, it } from "vitest";
import { InvalidKiccMidError, kiccPg } from "../../../lib/kicc/index.js";

describe("kiccPg", () => {
  it("is plain kicc when no MID is configured", () => {
    // Act / Assert
    expect(kiccPg()).toBe("kicc");
    expect(kiccPg(undefined)).toBe("kicc");
  });

  it.each(["T5102001", "05534047", "abcXYZ9"])("is kicc.<MID> for %s", (mid) => {
    // Act / Assert
    expect(kiccPg(mid)).toBe(`kicc.${mid}`);
  });

  it.each([
    ["", "blank"],
    ["T510 2001", "space"],
    ["T5102001.x", "dot (iamport splits pg on dots)"],
    ["kicc.T5102001", "already prefixed"],
    ["T5102001\n", "newline"],
    ["T51-02001", "dash"],
  ])("throws InvalidKiccMidError for %j (%s)", (mid) => {
    // Act
    const call = () => kiccPg(mid);
    // Assert
    expect(call).toThrow(InvalidKiccMidError);
    expect(call).toThrow(/letters and digits only/);
  });

  it("names the error and carries the refused MID", () => {
    // Act
    let caught: unknown;
    try {
      kiccPg("bad mid");
    } catch (error) {
      caught = error;
    }
    // Assert
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ name: "InvalidKiccMidError", mid: "bad mid" });
  });
});
