"""Violation types (条例 第十五条 and the inspection plans) and how they were detected."""

from __future__ import annotations

from enum import StrEnum


class Violation(StrEnum):
    """What was found wrong."""

    SPLIT_ADMISSION = "split_admission"  # 分解住院
    PHANTOM_BED = "phantom_bed"  # 挂床住院
    IMPERSONATION = "impersonation"  # 冒名就医
    FAKE_RECORDS = "fake_records"  # 虚假住院/伪造医疗文书
    OVER_TREATMENT = "over_treatment"  # 过度诊疗/过度检查
    SPLIT_PRESCRIPTION = "split_prescription"
    EXCESSIVE_DRUGS = "excessive_drugs"
    DUPLICATE_CHARGING = "duplicate_charging"  # 重复收费
    OVER_STANDARD_CHARGING = "over_standard_charging"  # 超标准收费
    SPLIT_ITEM_CHARGING = "split_item_charging"  # 分解项目收费
    ITEM_SWAPPING = "item_swapping"  # 串换
    SERVICES_NOT_RENDERED = "services_not_rendered"  # 虚构服务
    INDUCED_ADMISSION = "induced_admission"  # 诱导住院
    CARD_LENDING = "card_lending"
    DRUG_RESELLING = "drug_reselling"
    THIRD_PARTY_LIABILITY = "third_party_liability"
    MANAGEMENT_FAILURE = "management_failure"
    OTHER = "other"


class DetectionSource(StrEnum):
    """How it was found."""

    SMART_REVIEW = "smart_review"  # 智能审核
    ONSITE_INSPECTION = "onsite_inspection"  # 现场检查
    FLIGHT_INSPECTION = "flight_inspection"  # 飞行检查
    RECORD_REVIEW = "record_review"  # 病历评审
    SELF_INSPECTION = "self_inspection"  # 自查自纠
    INDICATOR_DEDUCTION = "indicator_deduction"  # 指标性扣款
    TIP_OFF = "tip_off"  # 举报
    OTHER = "other"
