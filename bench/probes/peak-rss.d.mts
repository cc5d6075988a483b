export declare function peakRssBytes(): number;
