/**
 * The master data both sandboxes generate from, so that generated WDT trades reference shops,
 * warehouses and SKUs that exist in the generated Xingchen account set. Test and demo data only.
 */
export interface CatalogShop {
  shopNo: string;
  shopName: string;
  /** Xingchen customer number the demo mapping file maps this shop to. */
  customerNumber: string;
  customerName: string;
}

export interface CatalogWarehouse {
  warehouseNo: string;
  /** Xingchen store number: the same code (the mapping default). */
  storeNumber: string;
  name: string;
}

export interface CatalogSku {
  specNo: string;
  goodsNo: string;
  goodsName: string;
  specName: string;
  unitName: string;
  barcode: string;
  /** List price, a decimal string with four places. */
  price: string;
}

export const catalogShops: CatalogShop[] = [
  { shopNo: 'TM001', shopName: '天猫旗舰店', customerNumber: 'CUST-TM001', customerName: '天猫平台客户' },
  { shopNo: 'JD001', shopName: '京东自营店', customerNumber: 'CUST-JD001', customerName: '京东平台客户' },
  { shopNo: 'PDD01', shopName: '拼多多专营店', customerNumber: 'CUST-PDD01', customerName: '拼多多平台客户' },
  { shopNo: 'DY001', shopName: '抖音小店', customerNumber: 'CUST-DY001', customerName: '抖音平台客户' },
  { shopNo: 'WX001', shopName: '微信商城', customerNumber: 'CUST-WX001', customerName: '微信商城客户' },
];

export const catalogWarehouses: CatalogWarehouse[] = [
  { warehouseNo: 'WH-SH01', storeNumber: 'WH-SH01', name: '上海主仓' },
  { warehouseNo: 'WH-GZ01', storeNumber: 'WH-GZ01', name: '广州分仓' },
  { warehouseNo: 'WH-CD01', storeNumber: 'WH-CD01', name: '成都分仓' },
];

const goods: Array<[string, string, string, string]> = [
  ['保温杯', '500ml 白色', '个', '59.9000'],
  ['保温杯', '500ml 黑色', '个', '59.9000'],
  ['真丝枕套', '标准 米色', '件', '129.0000'],
  ['有机绿茶', '250g 罐装', '罐', '88.0000'],
  ['蓝牙耳机', '降噪版', '副', '299.0000'],
  ['手机壳', 'iPhone 透明', '个', '19.9000'],
  ['纯棉T恤', 'L 白色', '件', '79.0000'],
  ['纯棉T恤', 'XL 黑色', '件', '79.0000'],
  ['坚果礼盒', '1.2kg', '盒', '158.0000'],
  ['洗发水', '400ml', '瓶', '45.5000'],
  ['护手霜', '50g 三支装', '套', '36.6000'],
  ['瑜伽垫', '6mm 紫色', '张', '99.0000'],
  ['电动牙刷', '声波款', '支', '199.0000'],
  ['牙刷头', '4只装', '盒', '49.0000'],
  ['笔记本', 'A5 牛皮纸', '本', '12.8000'],
  ['中性笔', '0.5mm 黑 12支', '盒', '23.0000'],
  ['咖啡豆', '意式拼配 454g', '袋', '128.0000'],
  ['马克杯', '陶瓷 350ml', '个', '39.0000'],
  ['数据线', 'Type-C 1m', '根', '29.9000'],
  ['充电器', '20W 快充', '个', '89.0000'],
];

export const catalogSkus: CatalogSku[] = goods.map(([goodsName, specName, unitName, price], index) => {
  const n = String(index + 1).padStart(3, '0');
  return {
    specNo: `SKU-${n}`,
    goodsNo: `SPU-${String(Math.floor(index / 2) + 1).padStart(3, '0')}`,
    goodsName,
    specName,
    unitName,
    barcode: `69${String(1000000000 + index * 7919).padStart(11, '0')}`,
    price,
  };
});
export * from './sandbox-http';
